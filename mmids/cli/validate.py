"""`validate`: read one TON_IoT CSV (or folder) through the loaders and report what was found."""

from __future__ import annotations

import argparse
import json
import sys
import warnings

from mmids.cli import run_guarded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check a TON_IoT CSV the way training and predict read it.")
    parser.add_argument("path", help="a CSV file or a TON_IoT folder")
    parser.add_argument("--modality", choices=("network", "host"), required=True)
    parser.add_argument("--layout", choices=("train_test", "processed"), default="train_test")
    parser.add_argument("--host-os", choices=("windows10", "windows7"), default="windows10")
    parser.add_argument("--no-labels", action="store_true", help="label/type columns are optional (rows to score)")
    args = parser.parse_args(argv)

    def run() -> int:
        from mmids.data.loaders import load_table

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            table = load_table(args.path, args.modality, layout=args.layout, host_os=args.host_os,
                               require_labels=not args.no_labels)
        for w in caught:
            print(f"warning: {w.message}", file=sys.stderr)
        print(json.dumps(table.summary(), indent=2, default=str))
        return 0

    return run_guarded(run)
