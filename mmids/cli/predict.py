"""`predict`: score network flows (and host snapshots) with an exported artefact."""

from __future__ import annotations

import argparse
import json
import sys

from mmids.cli import run_guarded
from mmids.errors import MmidsInputError

USAGE = """python scripts/predict.py ARTIFACT --network FLOWS.csv [--host HOST.csv] --out PRED.csv

ARTIFACT is the folder written by scripts/export.py (or its model.ts / model.pt2).
Without --host every row is scored network-only through the modality mask.
--join position (default): host row i goes with network row i (both files must have as many rows).
--join time_window: each flow takes the nearest host snapshot by 'ts' within --tolerance seconds
(processed TON_IoT files); flows with no snapshot in the window are scored network-only."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(usage=USAGE, description="Score TON_IoT-schema CSVs with an exported mmids model.")
    parser.add_argument("artifact")
    parser.add_argument("--network", required=True, help="network flows CSV (TON_IoT network schema; label/type optional)")
    parser.add_argument("--host", default=None, help="host snapshots CSV (Windows 10/7 schema); omit for network-only")
    parser.add_argument("--out", required=True, help="output CSV, written only when complete")
    parser.add_argument("--join", choices=("position", "time_window"), default="position")
    parser.add_argument("--tolerance", type=float, default=300.0, help="seconds, for --join time_window")
    parser.add_argument("--format", choices=("torchscript", "export"), default="torchscript")
    parser.add_argument("--batch-size", type=int, default=256)
    args = parser.parse_args(argv)

    def run() -> int:
        from mmids.data.files import atomic_write_csv
        from mmids.data.loaders import load_host, load_network
        from mmids.export import load_artifact
        from mmids.predict import score

        if args.batch_size < 1:
            raise MmidsInputError(f"--batch-size must be at least 1 (got {args.batch_size})")
        module, sidecar = load_artifact(args.artifact, args.format)
        network = load_network(args.network, require_labels=False)
        host = load_host(args.host, require_labels=False) if args.host else None
        out = score(module, sidecar, network, host, args.join, args.tolerance, args.batch_size)
        atomic_write_csv(out, args.out)
        summary = {"rows": len(out), "host_present": int(out["host_present"].sum()),
                   "scored_network_only": int((~out["host_present"]).sum()),
                   "predicted": out["predicted"].value_counts().to_dict(), "out": args.out}
        if "true_type" in out:
            summary["accuracy_vs_type_column"] = round(float((out["predicted"] == out["true_type"]).mean()), 4)
        print(json.dumps(summary, indent=2))
        if summary["scored_network_only"]:
            print(f"note: {summary['scored_network_only']} row(s) had no host data and were scored network-only",
                  file=sys.stderr)
        return 0

    return run_guarded(run)
