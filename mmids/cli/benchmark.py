"""`benchmark`: the study's comparison grid with honesty controls, results.csv and report.md."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from mmids.cli import run_guarded
from mmids.config import load_config

QUICK = ["--data.rows", "600", "--trainer.max_epochs", "1", "--study.seeds", "[0, 1]",
         "--study.encoders", "[cnn]", "--study.fusions", "[early, network, host]",
         "--study.baselines", "[random_forest, logistic_regression]", "--study.clustering", "[kmeans]",
         "--study.reductions", "[none, pca]", "--study.control_models", "[cnn-early, random_forest]",
         "--study.controls", "always", "--model.cnn_channels", "[4, 8]", "--model.embed_dim", "16",
         "--baselines.n_jobs", "1"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        usage="python scripts/benchmark.py --config paper.yaml [--out DIR] [--quick] [--section.key VALUE ...]",
        description="Run the comparison grid (resumable: finished cells in OUT/cells are kept) and write the report.")
    parser.add_argument("--config", default="paper.yaml")
    parser.add_argument("--out", default=None, help="output folder (default: checkpoints/benchmark-<config>)")
    parser.add_argument("--quick", action="store_true", help="a tiny grid (under a minute) to check the pipeline")
    args, rest = parser.parse_known_args(argv)

    def run() -> int:
        cfg = load_config(args.config, (QUICK if args.quick else []) + list(rest))
        from mmids.study.report import write_report
        from mmids.study.runner import run_grid

        out = Path(args.out or f"{cfg.output_dir}/benchmark-{cfg.config_name}{'-quick' if args.quick else ''}")
        start = time.perf_counter()
        results = run_grid(cfg, out)
        command = "python scripts/benchmark.py --config " + args.config + (" --quick" if args.quick else "") + \
            ("" if not rest else " " + " ".join(rest))
        report = write_report(results, out, pairing=cfg.data.pairing, split=cfg.data.split, command=command,
                              note=("Numbers on the generated stand-in say nothing about real TON_IoT data."
                                    if cfg.data.source == "synthetic" else ""))
        print(f"{len(results)} cells in {out}/results.csv; report: {report} ({time.perf_counter() - start:.0f} s this call)")
        return 0

    return run_guarded(run)
