"""Pairing network rows with host rows: an explicit, named strategy recorded in every result.

- ``aligned``: row i of both tables is one event (the stand-in; files written in the same order).
- ``time_window``: each flow takes the nearest host snapshot within a tolerance (needs ``ts``).
- ``class_conditional``: each flow takes a random host row of the same class (all the Train_Test
  files allow: their rows never co-occurred).
- ``cross_class`` (control): each flow takes a random host row of a *different* class.
- ``shuffled`` (control): the base pairing (``aligned`` when the tables align, else
  ``class_conditional``) with host rows permuted *within* each class: class-level information is
  kept, event-level co-occurrence is destroyed.

Every strategy pairs rows of one split with rows of the same split only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mmids.errors import MmidsInputError

PAIRINGS = ("aligned", "time_window", "class_conditional", "cross_class", "shuffled")
CONTROLS = ("cross_class", "shuffled")


@dataclass
class Pairs:
    """Row positions into the network and host tables of one split, and the pair's class."""

    network: np.ndarray
    host: np.ndarray
    labels: np.ndarray  # class name of the network row

    def __len__(self) -> int:
        return len(self.network)


def _aligned(net: pd.DataFrame, host: pd.DataFrame) -> Pairs:
    if len(net) != len(host):
        raise MmidsInputError(f"'aligned' pairing needs the same number of network and host rows "
                              f"(got {len(net)} and {len(host)}); use time_window or class_conditional")
    if "ts" in net and "ts" in host:
        off = int((net["ts"].to_numpy() != host["ts"].to_numpy()).sum())
        if off:
            raise MmidsInputError(f"'aligned' pairing: {off} row(s) have different 'ts' in the network "
                                  "and host tables; use time_window pairing")
    idx = np.arange(len(net))
    return Pairs(idx, idx.copy(), net["type"].to_numpy())


def _time_window(net: pd.DataFrame, host: pd.DataFrame, tolerance: float) -> Pairs:
    for name, frame in (("network", net), ("host", host)):
        if "ts" not in frame:
            raise MmidsInputError(f"'time_window' pairing needs a 'ts' column in the {name} table "
                                  "(processed TON_IoT files have it, Train_Test files do not)")
    left = pd.DataFrame({"ts": net["ts"].to_numpy(dtype=np.float64), "n": np.arange(len(net))}).sort_values("ts")
    right = pd.DataFrame({"ts": host["ts"].to_numpy(dtype=np.float64), "h": np.arange(len(host))}).sort_values("ts")
    joined = pd.merge_asof(left, right, on="ts", direction="nearest", tolerance=float(tolerance))
    joined = joined.dropna(subset=["h"]).sort_values("n")
    n_idx = joined["n"].to_numpy(dtype=np.int64)
    return Pairs(n_idx, joined["h"].to_numpy(dtype=np.int64), net["type"].to_numpy()[n_idx])


def _draw(rng: np.random.Generator, pool: np.ndarray, k: int) -> np.ndarray:
    return pool[rng.integers(0, len(pool), k)]


def _class_conditional(net: pd.DataFrame, host: pd.DataFrame, rng: np.random.Generator, same: bool) -> Pairs:
    n_types, h_types = net["type"].to_numpy(), host["type"].to_numpy()
    host_idx = np.empty(len(net), dtype=np.int64)
    keep = np.ones(len(net), dtype=bool)
    for cls in np.unique(n_types):
        rows = np.flatnonzero(n_types == cls)
        pool = np.flatnonzero((h_types == cls) if same else (h_types != cls))
        if len(pool) == 0:
            keep[rows] = False
            continue
        host_idx[rows] = _draw(rng, pool, len(rows))
    n_idx = np.flatnonzero(keep)
    return Pairs(n_idx, host_idx[keep], n_types[keep])


def shuffle_within_class(pairs: Pairs, rng: np.random.Generator) -> Pairs:
    host = pairs.host.copy()
    for cls in np.unique(pairs.labels):
        rows = np.flatnonzero(pairs.labels == cls)
        host[rows] = host[rng.permutation(rows)]
    return Pairs(pairs.network.copy(), host, pairs.labels.copy())


def pair_rows(net: pd.DataFrame, host: pd.DataFrame, strategy: str, *, seed: int = 0,
              tolerance: float = 300.0, base: str = "class_conditional") -> Pairs:
    """Pair the rows of one split. ``base`` is the strategy that ``shuffled`` permutes."""
    rng = np.random.default_rng(seed)
    if strategy == "aligned":
        return _aligned(net, host)
    if strategy == "time_window":
        return _time_window(net, host, tolerance)
    if strategy == "class_conditional":
        return _class_conditional(net, host, rng, same=True)
    if strategy == "cross_class":
        return _class_conditional(net, host, rng, same=False)
    if strategy == "shuffled":
        return shuffle_within_class(pair_rows(net, host, base, seed=seed, tolerance=tolerance), rng)
    raise MmidsInputError(f"unknown pairing {strategy!r}; allowed: {', '.join(PAIRINGS)}")
