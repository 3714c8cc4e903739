"""Exported fused 1D-CNN vs XGBoost predict on the same fused rows.

    python benchmarks/inference_vs_xgboost.py RUN_DIR [RUN_DIR ...] [--rows 20000] [--chunks 64 128 256 512 1024]

Each RUN_DIR is a finished run (e.g. python scripts/train.py --config fused_cnn.yaml, and
pca_fused_cnn.yaml). Each model is timed as its TorchScript artefact on raw encoded features
(preprocessing included; the artefact scores big batches in chunks sized per model) and, for reference,
as the plain unchunked graph in one call; XGBoost (the trees.yaml settings, trained on the first
run's fused training rows) on the already-preprocessed fused features of the same test rows, so
XGBoost is spared the preprocessing. Prints rows/s at one large batch and the batch-1 p50.
``--chunks``: also the artefact's rows/s on the same batch for each chunk size (median of five
best-of-three measurements), the sweep behind the default chunk size.
"""

from __future__ import annotations

import argparse
import tempfile
import warnings

import numpy as np
import torch

from mmids.baselines.supervised import SupervisedBaseline
from mmids.baselines.views import view_matrix
from mmids.data.datamodule import prepare_data
from mmids.export import TORCHSCRIPT, ChunkedScoring, deployed_module, export_run
from mmids.footprint import encoded_test_rows, latency_ms, repeat_rows, rows_per_s
from mmids.runs import load_run


def chunk_rate(run, batch, chunk_rows: int, n: int) -> float:
    module = torch.jit.freeze(torch.jit.script(ChunkedScoring(deployed_module(run), chunk_rows).eval()))
    with torch.no_grad():
        module(*batch)
        return float(np.median([rows_per_s(lambda: module(*batch), n, repeats=3) for _ in range(5)]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("run_dirs", nargs="+")
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--chunks", type=int, nargs="*", default=[])
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    runs = [load_run(r) for r in args.run_dirs]
    data = prepare_data(runs[0].config.data, seed=runs[0].config.seed)
    x, y = view_matrix(data, "train", "fused")
    xgb = SupervisedBaseline("xgboost", seed=0, n_jobs=torch.get_num_threads()).fit(x, y)
    xt = np.resize(view_matrix(data, "test", "fused")[0], (args.rows, x.shape[1]))
    contenders = {"XGBoost": lambda: xgb.estimator.predict_proba(xt)}
    notes = {}
    with tempfile.TemporaryDirectory() as tmp, torch.no_grad():
        for i, run in enumerate(runs):
            raw, _ = encoded_test_rows(run)
            batch = repeat_rows(raw, args.rows)
            side = export_run(run, f"{tmp}/{i}")
            ts = torch.jit.load(f"{tmp}/{i}/{TORCHSCRIPT}")
            plain = torch.jit.script(deployed_module(run))
            name = f"{run.config.config_name} ({run.config.model.encoder}, inputs {run.system.hparams.network_dim}"
            name += f"+{run.system.hparams.host_dim}, chunks of {side['torchscript_chunk_rows']})"
            contenders[name] = lambda ts=ts, batch=batch: ts(*batch)
            contenders[f"  {run.config.config_name}, unchunked graph in one call"] = lambda p=plain, b=batch: p(*b)
            notes[name] = (run, batch, latency_ms(ts, raw)["p50_ms"])
        # rounds alternate the contenders, so a slow spell on the shared cores hits all of them alike
        rates = {k: [] for k in contenders}
        for _ in range(args.rounds):
            for k, fn in contenders.items():
                fn()
                rates[k].append(rows_per_s(fn, args.rows, repeats=3))
    print(f"{args.rows:,} fused rows per call, {torch.get_num_threads()} threads, median of {args.rounds} rounds")
    tree = np.asarray(rates["XGBoost"])
    print(f"XGBoost predict_proba (200 trees, depth 6): {np.median(tree):,.0f} rows/s")
    for k, r in rates.items():
        if k == "XGBoost":
            continue
        ratio = float(np.median(np.asarray(r) / tree))
        line = f"{k}: {np.median(r):,.0f} rows/s"
        if k in notes:
            run, batch, p50 = notes[k]
            line += f" ({ratio:.2f}x XGBoost, target >= 1; per-round {min(r) / 1e3:.0f}k-{max(r) / 1e3:.0f}k); "
            line += f"batch-1 p50 {p50:.3f} ms (target < 0.5)"
        print(line)
        if k in notes and args.chunks:
            print("  chunk rows -> rows/s: " + ", ".join(f"{c}: {chunk_rate(run, batch, c, args.rows):,.0f}"
                                                         for c in args.chunks))


if __name__ == "__main__":
    main()
