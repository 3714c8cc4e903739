"""Run folders under ``output_dir`` (default ``checkpoints/``)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from mmids.config import Config


def make_run_dir(cfg: Config) -> Path:
    """``output_dir/run_name`` (default ``<config>-<timestamp>``); never reuses a non-empty folder."""
    name = cfg.run_name or f"{cfg.config_name}-{datetime.now():%Y%m%d-%H%M%S}"
    base = Path(cfg.output_dir) / name
    path, k = base, 1
    while path.exists() and any(path.iterdir()):
        k += 1
        path = base.with_name(f"{base.name}-{k}")
    path.mkdir(parents=True, exist_ok=True)
    return path
