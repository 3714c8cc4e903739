"""`export`: a finished run to TorchScript + torch.export artefacts with a JSON sidecar."""

from __future__ import annotations

import argparse
import json

from mmids.cli import run_guarded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Export a run (preprocessing + PCA + model) for deployment.")
    parser.add_argument("run_dir", help="checkpoints/<run>")
    parser.add_argument("--out", required=True, help="output folder (model.ts, model.pt2, model.json)")
    parser.add_argument("--chunk-rows", type=int, default=None,
                        help="model.ts scores larger batches this many rows at a time (default: sized so one "
                             "chunk's largest activation is about 4 MiB)")
    args = parser.parse_args(argv)

    def run() -> int:
        import warnings

        from mmids.errors import MmidsInputError

        if args.chunk_rows is not None and args.chunk_rows < 1:
            raise MmidsInputError(f"--chunk-rows must be at least 1 (got {args.chunk_rows})")

        from mmids.export import export_run
        from mmids.runs import load_run

        warnings.filterwarnings("ignore", message=".*archive file to be a file ending in .pt2.*")
        sidecar = export_run(load_run(args.run_dir), args.out, chunk_rows=args.chunk_rows)
        print(json.dumps({"out": args.out, "classes": sidecar["class_names"], "reduction": sidecar["reduction"],
                          "torchscript_chunk_rows": sidecar["torchscript_chunk_rows"], "sha256": sidecar["sha256"]},
                         indent=2))
        return 0

    return run_guarded(run)
