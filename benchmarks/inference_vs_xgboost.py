"""Exported fused 1D-CNN vs XGBoost predict on the same fused rows.

    python benchmarks/inference_vs_xgboost.py RUN_DIR [--rows 20000]

RUN_DIR is a finished fused_cnn run (python scripts/train.py --config fused_cnn.yaml). The CNN is
timed as the TorchScript artefact on raw encoded features (preprocessing included); XGBoost (the
trees.yaml settings) on the already-preprocessed fused features of the same test rows, so XGBoost
is spared the preprocessing. Prints rows/s of both at one large batch, and the CNN's batch-1 p50.
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
from mmids.export import TORCHSCRIPT, export_run
from mmids.footprint import repeat_rows, encoded_test_rows, latency_ms
from mmids.runs import load_run


def rows_per_s(fn, n: int, repeats: int = 10) -> float:
    fn()
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return n * repeats / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("run_dir")
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    run = load_run(args.run_dir)
    data = prepare_data(run.config.data, seed=run.config.seed)
    x, y = view_matrix(data, "train", "fused")
    xgb = SupervisedBaseline("xgboost", seed=0, n_jobs=torch.get_num_threads()).fit(x, y)
    raw, _ = encoded_test_rows(run)
    batch = repeat_rows(raw, args.rows)
    xt = np.resize(view_matrix(data, "test", "fused")[0], (args.rows, x.shape[1]))
    with tempfile.TemporaryDirectory() as tmp:
        export_run(run, tmp)
        ts = torch.jit.load(f"{tmp}/{TORCHSCRIPT}")
        with torch.no_grad():
            for _ in range(10):
                ts(*batch)
            cnn = rows_per_s(lambda: ts(*batch), args.rows)
        p50 = latency_ms(ts, raw)["p50_ms"]
    tree = rows_per_s(lambda: xgb.estimator.predict_proba(xt), args.rows)
    print(f"{args.rows:,} fused rows per call, {torch.get_num_threads()} threads")
    print(f"exported fused 1D-CNN (TorchScript, preprocessing included): {cnn:,.0f} rows/s; batch-1 p50 {p50:.3f} ms")
    print(f"XGBoost predict_proba (200 trees, depth 6): {tree:,.0f} rows/s")
    print(f"ratio CNN / XGBoost: {cnn / tree:.2f}x (target >= 1)")


if __name__ == "__main__":
    main()
