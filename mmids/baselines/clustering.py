"""Unsupervised baselines scored against the true classes (ARI, NMI, homogeneity)."""

from __future__ import annotations

import time

import numpy as np
from sklearn.metrics import adjusted_rand_score, homogeneity_score, normalized_mutual_info_score

from mmids.errors import MmidsInputError

QUADRATIC = ("agglomerative", "dbscan")  # memory grows with rows^2: subsampled to a cap
CLUSTERING = ("agglomerative", "kmeans", "gaussian_mixture", "birch", "dbscan")


def cluster_scores(y_true: np.ndarray, labels: np.ndarray) -> dict:
    return {"ari": float(adjusted_rand_score(y_true, labels)), "nmi": float(normalized_mutual_info_score(y_true, labels)),
            "homogeneity": float(homogeneity_score(y_true, labels))}


def _estimator(name: str, k: int, seed: int, n_rows: int, eps: float):
    from sklearn import cluster, mixture

    if name == "agglomerative":
        return cluster.AgglomerativeClustering(n_clusters=k, linkage="ward")
    if name == "kmeans":
        return (cluster.MiniBatchKMeans(k, random_state=seed, n_init=3) if n_rows > 10_000
                else cluster.KMeans(k, random_state=seed, n_init=4))
    if name == "gaussian_mixture":
        return mixture.GaussianMixture(k, covariance_type="diag", reg_covar=1e-3, random_state=seed)
    if name == "birch":
        return cluster.Birch(n_clusters=k, threshold=0.5)
    if name == "dbscan":
        return cluster.DBSCAN(eps=eps, min_samples=5)
    raise MmidsInputError(f"unknown clustering method {name!r}; allowed: {', '.join(CLUSTERING)}")


def stratified_subsample(y: np.ndarray, cap: int, seed: int) -> np.ndarray:
    """Row indices: all rows when ``len(y) <= cap``, else about ``cap`` rows keeping class shares."""
    if len(y) <= cap:
        return np.arange(len(y))
    rng = np.random.default_rng(seed)
    keep = []
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        keep.append(rng.choice(idx, max(1, int(round(cap * len(idx) / len(y)))), replace=False))
    return np.sort(np.concatenate(keep))


def run_clustering(name: str, x: np.ndarray, y: np.ndarray, *, n_clusters: int, seed: int = 0,
                   max_rows: int = 5000, eps: float = 3.0) -> dict:
    """Cluster ``x`` and score the clusters against ``y``; quadratic methods run on a capped subsample."""
    rows = stratified_subsample(y, max_rows, seed) if name in QUADRATIC else np.arange(len(y))
    est = _estimator(name, n_clusters, seed, len(rows), eps)
    start = time.perf_counter()
    sub = x[rows].astype(np.float64)
    labels = est.fit_predict(sub)
    seconds = time.perf_counter() - start
    return {**cluster_scores(y[rows], labels), "n_clusters_requested": n_clusters if name != "dbscan" else None,
            "n_clusters_found": int(len(set(labels.tolist()) - {-1})), "rows": int(len(rows)),
            "subsampled": bool(len(rows) < len(y)), "fit_seconds": round(seconds, 4)}
