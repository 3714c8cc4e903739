"""PCA vs UMAP: fit + transform time on the same matrix at the same component count.

    python benchmarks/reduction_speed.py [--rows 20000] [--components 0]

The matrix is the stand-in's encoded fused training features (network + host, train split of the
default pipeline). --components 0 uses the count pca_fused_cnn.yaml picks (99% variance, at most
half the features). UMAP is timed twice in one process: "cold" includes numba's JIT compilation
(what a user pays on the first call), "warm" does not. The ratio is reported against both.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import torch

from mmids.config import DataConfig
from mmids.data.datamodule import prepare_data
from mmids.data.reduction import fit_pca


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--components", type=int, default=0)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    import umap

    data = prepare_data(DataConfig(rows=args.rows), seed=0)
    x = torch.cat([data.splits["train"].network, data.splits["train"].host], 1).numpy().astype(np.float32)
    k = args.components or fit_pca(x, 0.99, 0.5)[1]

    def pca():
        state, _, _ = fit_pca(x, k, 1.0)
        mean, comp = np.asarray(state["mean"], np.float32), np.asarray(state["components"], np.float32)
        return (x - mean) @ comp

    def run_umap():
        return umap.UMAP(n_components=k, random_state=0, n_jobs=1).fit(x).transform(x)

    pca_s = min(timed(pca)[0] for _ in range(3))
    cold_s, _ = timed(run_umap)
    warm_s, _ = timed(run_umap)
    print(f"matrix: {x.shape[0]:,} training rows x {x.shape[1]} fused features; {k} components")
    print(f"PCA  fit+transform (best of 3): {pca_s:.3f} s")
    print(f"UMAP fit+transform, cold (incl. numba JIT): {cold_s:.1f} s  -> PCA is {cold_s / pca_s:,.0f}x faster")
    print(f"UMAP fit+transform, warm:                   {warm_s:.1f} s  -> PCA is {warm_s / pca_s:,.0f}x faster")


if __name__ == "__main__":
    main()
