"""Run the grid cell by cell (resumable), sharing one prepared dataset between the cells that can."""

from __future__ import annotations

import copy
import json
import time
import warnings
from pathlib import Path

import pandas as pd
import torch
from tqdm.auto import tqdm

from mmids.config import Config
from mmids.data.datamodule import PreparedData, load_tables, prepare_data
from mmids.data.files import atomic_write_csv, atomic_write_text
from mmids.study.grid import Cell, build_grid


def _data_config(cfg: Config, cell: Cell):
    d = copy.deepcopy(cfg.data)
    d.reduce, d.pairing, d.split = cell.reduction, cell.pairing, cell.split
    d.reduce_on = "per_modality"  # so that every fusion head and every view exists on reduced input
    return d


def _deep(cfg: Config, cell: Cell, data: PreparedData, out: Path) -> dict:
    from mmids.training import train

    c = copy.deepcopy(cfg)
    c.data = _data_config(cfg, cell)
    c.model.encoder, c.model.fusion = cell.model.split("-")
    c.seed, c.output_dir, c.run_name = cell.seed, str(out / "runs"), cell.id
    c.trainer.enable_progress_bar = False
    result = train(c, prepared=data)
    test = data.splits["test"]
    start = time.perf_counter()
    with torch.no_grad():
        result.system(test.network, test.host, test.mask)
    m = result.metrics
    return {"accuracy": m["test"]["accuracy"], "macro_f1": m["test"]["macro_f1"], "per_class_f1": m["test"]["per_class_f1"],
            "fit_seconds": m["train_seconds"], "predict_seconds": time.perf_counter() - start,
            "parameters": m["parameters"], "size_bytes": m["model_size_bytes"], "epochs": m["epochs_trained"]}


def _baseline(cfg: Config, cell: Cell, data: PreparedData) -> dict:
    from mmids.baselines.supervised import SupervisedBaseline
    from mmids.baselines.views import view_matrix

    x, y = view_matrix(data, "train", cell.view)
    xt, yt = view_matrix(data, "test", cell.view)
    model = SupervisedBaseline(cell.model, cell.seed, cfg.baselines.class_weight, cfg.baselines.n_jobs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(x, y)
        m = model.evaluate(xt, yt, data.class_names)
    return {"accuracy": m["test"]["accuracy"], "macro_f1": m["test"]["macro_f1"], "per_class_f1": m["test"]["per_class_f1"],
            "fit_seconds": m["fit_seconds"], "predict_seconds": m["predict_seconds"], "size_bytes": m["model_size_bytes"]}


def _clustering(cfg: Config, cell: Cell, data: PreparedData) -> dict:
    from mmids.baselines.clustering import run_clustering
    from mmids.baselines.views import view_matrix

    b = cfg.baselines
    x, y = view_matrix(data, b.cluster_split, cell.view)
    r = run_clustering(cell.model, x, y, n_clusters=b.n_clusters or len(data.class_names), seed=cell.seed,
                       max_rows=b.cluster_max_rows, eps=b.dbscan_eps)
    return {"ari": r["ari"], "nmi": r["nmi"], "homogeneity": r["homogeneity"], "fit_seconds": r["fit_seconds"],
            "cluster_rows": r["rows"]}


def run_grid(cfg: Config, out: str | Path, progress: bool = True) -> pd.DataFrame:
    """Run every cell not already in ``out/cells/``; returns all results (also ``out/results.csv``)."""
    out = Path(out)
    (out / "cells").mkdir(parents=True, exist_ok=True)
    tables = load_tables(cfg.data)
    has_ts = "ts" in tables[0].frame and "ts" in tables[1].frame
    cells = sorted(build_grid(cfg, has_ts), key=lambda c: (c.data_key, c.family != "deep"))
    cached: tuple | None = None
    bar = tqdm(cells, desc="benchmark cells", disable=not progress)
    for cell in bar:
        path = out / "cells" / f"{cell.id}.json"
        if path.is_file():
            continue  # resumable: finished cells are kept
        bar.set_postfix_str(cell.id[:60])
        if cached is None or cached[0] != cell.data_key:
            cached = (cell.data_key, prepare_data(_data_config(cfg, cell), cell.seed, tables=tables))
        data = cached[1]
        run = {"deep": lambda: _deep(cfg, cell, data, out), "baseline": lambda: _baseline(cfg, cell, data),
               "clustering": lambda: _clustering(cfg, cell, data)}[cell.family]
        row = {**cell.as_dict(), **run(), "reduction_fit_seconds": data.reducer.fit_seconds,
               "reduction_transform_seconds": data.reducer.transform_seconds,
               "input_features": sum(data.dims.values()) if cell.view == "fused" else data.dims[cell.view],
               "dataset": data.info["network"]["identity"]}
        atomic_write_text(path, json.dumps(row, default=float))
    return collect(out)


def collect(out: str | Path) -> pd.DataFrame:
    out = Path(out)
    rows = [json.loads(p.read_text()) for p in sorted((out / "cells").glob("*.json"))]
    frame = pd.DataFrame(rows)
    if "per_class_f1" in frame:
        frame["per_class_f1"] = frame["per_class_f1"].map(lambda v: json.dumps(v) if isinstance(v, dict) else None)
    atomic_write_csv(frame, out / "results.csv")
    return frame
