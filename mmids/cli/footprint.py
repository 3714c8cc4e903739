"""`footprint`: size, latency, throughput, memory and INT8 accuracy change of a run's artefact."""

from __future__ import annotations

import argparse
from pathlib import Path

from mmids.cli import run_guarded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Measure the deployment footprint of a finished run.")
    parser.add_argument("run_dir", help="checkpoints/<run>")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0 = torch default)")
    parser.add_argument("--out", default=None, help="JSON output (default: RUN_DIR/footprint.json)")
    args = parser.parse_args(argv)

    def run() -> int:
        from mmids.footprint import markdown_table, measure, write

        result = measure(args.run_dir, args.threads or None)
        write(result, Path(args.out) if args.out else Path(args.run_dir) / "footprint.json")
        print(markdown_table(result))
        return 0

    return run_guarded(run)
