"""Run every configured baseline on every view, on the deep models' data pipeline, and save them."""

from __future__ import annotations

import dataclasses
import json
import platform
import warnings
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

import mmids
from mmids.baselines.clustering import run_clustering
from mmids.baselines.supervised import SupervisedBaseline
from mmids.baselines.views import view_matrix
from mmids.config import Config, dump_yaml
from mmids.data.datamodule import PreparedData, prepare_data
from mmids.data.files import atomic_write_csv, atomic_write_text
from mmids.errors import MmidsInputError
from mmids.rundir import make_run_dir


def _common(cfg: Config, data: PreparedData, view: str) -> dict:
    return {"config_name": cfg.config_name, "view": view, "pairing": data.info["pairing"], "split": data.info["split"],
            "reduction": data.reducer.summary(), "seed": cfg.seed,
            "dataset": {"network": data.info["network"]["identity"], "host": data.info["host"]["identity"],
                        "rows": data.info["rows"]},
            "versions": {"mmids": mmids.__version__, "python": platform.python_version()}}


def run_baselines(cfg: Config, data: PreparedData | None = None, progress: bool = True) -> tuple[Path, pd.DataFrame]:
    """Fit/evaluate each supervised model and each clustering method per view; returns (run dir, results)."""
    b = cfg.baselines
    if cfg.data.reduce != "none" and cfg.data.reduce_on == "fused" and set(b.views) != {"fused"}:
        raise MmidsInputError("config key 'baselines.views': must be [fused] when data.reduce_on is 'fused' "
                              "(the reduced input has no separate modalities); or set data.reduce_on: per_modality")
    data = data or prepare_data(cfg.data, cfg.seed)
    run_dir = make_run_dir(cfg)
    atomic_write_text(run_dir / "config.yaml", dump_yaml(cfg))
    names = data.class_names
    jobs = [("supervised", m, v) for m in b.models for v in b.views] + [("clustering", m, v) for m in b.clustering for v in b.views]
    rows = []
    for kind, name, view in tqdm(jobs, desc="baselines", disable=not progress):
        folder = run_dir / f"{name}-{view}"
        folder.mkdir(exist_ok=True)
        if kind == "supervised":
            model = SupervisedBaseline(name, cfg.seed, b.class_weight, b.n_jobs)
            x_train, y_train = view_matrix(data, "train", view)
            x_test, y_test = view_matrix(data, "test", view)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # convergence chatter from linear models
                model.fit(x_train, y_train)
                metrics = {"model": name, "kind": kind, **_common(cfg, data, view), **model.evaluate(x_test, y_test, names)}
            metrics["sha256"] = model.save(folder / "model.joblib")
            rows.append({"model": name, "view": view, "accuracy": metrics["test"]["accuracy"],
                         "macro_f1": metrics["test"]["macro_f1"], "ari": None, "fit_seconds": metrics["fit_seconds"],
                         "predict_seconds": metrics["predict_seconds"], "model_size_bytes": metrics["model_size_bytes"],
                         "imbalance": metrics["imbalance"]})
        else:
            x, y = view_matrix(data, b.cluster_split, view)
            k = b.n_clusters or len(names)
            scores = run_clustering(name, x, y, n_clusters=k, seed=cfg.seed, max_rows=b.cluster_max_rows, eps=b.dbscan_eps)
            metrics = {"model": name, "kind": kind, "cluster_split": b.cluster_split, **_common(cfg, data, view), **scores}
            rows.append({"model": name, "view": view, "accuracy": None, "macro_f1": None, "ari": scores["ari"],
                         "nmi": scores["nmi"], "homogeneity": scores["homogeneity"], "fit_seconds": scores["fit_seconds"],
                         "rows": scores["rows"], "subsampled": scores["subsampled"]})
        atomic_write_text(folder / "metrics.json", json.dumps(metrics, indent=2))
    results = pd.DataFrame(rows)
    atomic_write_csv(results, run_dir / "results.csv")
    atomic_write_text(run_dir / "summary.json", json.dumps(
        {"config": dataclasses.asdict(cfg.baselines), "pairing": data.info["pairing"], "split": data.info["split"],
         "results": rows}, indent=2, default=str))
    return run_dir, results


def results_table(results: pd.DataFrame) -> str:
    """Model x view table: macro-F1 (supervised) or ARI (clustering)."""
    out = []
    for metric, label in (("macro_f1", "test macro-F1"), ("accuracy", "test accuracy"), ("ari", "ARI")):
        if metric not in results or results[metric].isna().all():
            continue
        table = results.dropna(subset=[metric]).pivot(index="model", columns="view", values=metric)
        cols = [v for v in ("network", "host", "fused") if v in table.columns]
        out.append(f"{label}:\n" + table[cols].to_string(float_format=lambda v: f"{v:.4f}"))
    return "\n\n".join(out)
