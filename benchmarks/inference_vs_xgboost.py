"""Exported fused 1D-CNN vs XGBoost predict on the same fused rows.

    python benchmarks/inference_vs_xgboost.py RUN_DIR [RUN_DIR ...] [--rows 20000]

Each RUN_DIR is a finished run (e.g. python scripts/train.py --config fused_cnn.yaml, and
pca_fused_cnn.yaml). Each model is timed as its TorchScript artefact on raw encoded features
(preprocessing included; the artefact scores big batches 256 rows at a time) and, for reference,
as the plain unchunked graph in one call; XGBoost (the trees.yaml settings, trained on the first
run's fused training rows) on the already-preprocessed fused features of the same test rows, so
XGBoost is spared the preprocessing. Prints rows/s at one large batch and the batch-1 p50.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings

import numpy as np
import torch

from mmids.baselines.supervised import SupervisedBaseline
from mmids.baselines.views import view_matrix
from mmids.data.datamodule import prepare_data
from mmids.export import TORCHSCRIPT, deployed_module, export_run
from mmids.footprint import repeat_rows, encoded_test_rows, latency_ms
from mmids.runs import load_run


def rows_per_s(fn, n: int, repeats: int = 10) -> float:
    """Best of three windows of ``repeats`` calls (other load on 2 cores only ever slows a window)."""
    fn()
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(repeats):
            fn()
        best = min(best, time.perf_counter() - start)
    return n * repeats / best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("run_dirs", nargs="+")
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    runs = [load_run(r) for r in args.run_dirs]
    data = prepare_data(runs[0].config.data, seed=runs[0].config.seed)
    x, y = view_matrix(data, "train", "fused")
    xgb = SupervisedBaseline("xgboost", seed=0, n_jobs=torch.get_num_threads()).fit(x, y)
    xt = np.resize(view_matrix(data, "test", "fused")[0], (args.rows, x.shape[1]))
    tree = rows_per_s(lambda: xgb.estimator.predict_proba(xt), args.rows)
    print(f"{args.rows:,} fused rows per call, {torch.get_num_threads()} threads")
    print(f"XGBoost predict_proba (200 trees, depth 6): {tree:,.0f} rows/s")
    for run in runs:
        raw, _ = encoded_test_rows(run)
        batch = repeat_rows(raw, args.rows)
        with tempfile.TemporaryDirectory() as tmp, torch.no_grad():
            export_run(run, tmp)
            ts = torch.jit.load(f"{tmp}/{TORCHSCRIPT}")
            plain = torch.jit.script(deployed_module(run))
            artefact = rows_per_s(lambda: ts(*batch), args.rows)
            one_call = rows_per_s(lambda: plain(*batch), args.rows)
            p50 = latency_ms(ts, raw)["p50_ms"]
        name = f"{run.config.config_name} ({run.config.model.encoder}, inputs {run.system.hparams.network_dim}"
        name += f"+{run.system.hparams.host_dim})"
        print(f"{name}: artefact {artefact:,.0f} rows/s ({artefact / tree:.2f}x XGBoost, target >= 1); "
              f"unchunked graph {one_call:,.0f} rows/s; batch-1 p50 {p50:.3f} ms (target < 0.5)")


if __name__ == "__main__":
    main()
