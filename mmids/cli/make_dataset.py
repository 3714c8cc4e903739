"""`make_dataset`: write the generated stand-in as TON_IoT files."""

from __future__ import annotations

import argparse
import json
import time

from mmids.cli import run_guarded
from mmids.data.files import write_ton_iot_folder
from mmids.data.synthetic import generate
from mmids.errors import MmidsInputError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the generated TON_IoT stand-in in the TON_IoT folder layout.")
    parser.add_argument("--out", required=True, help="output folder (created)")
    parser.add_argument("--rows", type=int, default=20_000, help="events (each: one flow + one host snapshot)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--difficulty", type=float, default=0.0, help="0 (default) to 1 (hard)")
    parser.add_argument("--rows-per-file", type=int, default=0,
                        help="split processed network rows into Network_dataset_{i}.csv files of this size")
    args = parser.parse_args(argv)

    def run() -> int:
        if args.rows < 32:
            raise MmidsInputError(f"--rows must be at least 32 (got {args.rows})")
        if not 0 <= args.difficulty <= 1:
            raise MmidsInputError(f"--difficulty must be in [0, 1] (got {args.difficulty})")
        start = time.perf_counter()
        data = generate(args.rows, seed=args.seed, difficulty=args.difficulty)
        written = write_ton_iot_folder(data, args.out, rows_per_processed_file=args.rows_per_file)
        counts = data.network["type"].value_counts().to_dict()
        print(json.dumps({"identity": data.identity, "rows_per_class": counts,
                          "files": {k: [str(p) for p in v] for k, v in written.items()},
                          "seconds": round(time.perf_counter() - start, 2)}, indent=2))
        return 0

    return run_guarded(run)
