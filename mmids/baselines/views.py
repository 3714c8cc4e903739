"""Feature matrices of one view (network, host or fused) from the shared data pipeline."""

from __future__ import annotations

import numpy as np
import torch

from mmids.data.datamodule import PreparedData

VIEWS = ("network", "host", "fused")


def view_matrix(data: PreparedData, split: str, view: str) -> tuple[np.ndarray, np.ndarray]:
    """(X [n, d] float32, y [n] int64) of ``split`` as seen by ``view``."""
    ds = data.splits[split]
    if view == "network":
        x = ds.network
    elif view == "host":
        x = ds.host
    elif view == "fused":
        x = torch.cat([ds.network, ds.host], dim=1)
    else:
        raise ValueError(f"unknown view {view!r}; allowed: {VIEWS}")
    if x.shape[1] == 0:
        raise ValueError(f"view {view!r} has no features (fused reduction leaves only the 'fused' view)")
    return x.numpy().astype(np.float32, copy=False), ds.y.numpy()
