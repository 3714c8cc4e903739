"""`baselines`: tree ensembles, classical models and clustering on the deep models' data pipeline."""

from __future__ import annotations

import argparse

from mmids.cli import run_guarded
from mmids.config import load_config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        usage="python scripts/baselines.py --config trees.yaml [--seed N] [--section.key VALUE ...]",
        description="Run non-deep baselines on exactly the pairing, splits and preprocessing of the deep runs.")
    parser.add_argument("--config", default="trees.yaml")
    parser.add_argument("--seed", type=int, default=None)
    args, rest = parser.parse_known_args(argv)

    def run() -> int:
        cfg = load_config(args.config, list(rest) + (["--seed", str(args.seed)] if args.seed is not None else []))
        from mmids.baselines.runner import results_table, run_baselines

        run_dir, results = run_baselines(cfg)
        print(results_table(results))
        print(f"run folder: {run_dir}")
        return 0

    return run_guarded(run)
