"""Score TON_IoT-schema CSVs with an exported artefact (only the sidecar and torch are needed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from mmids.data.loaders import LoadedTable
from mmids.data.pairing import pair_rows
from mmids.data.preprocessing import encode_columns
from mmids.errors import MmidsInputError

JOINS = ("position", "time_window")


def pair_host(network: LoadedTable, host: LoadedTable | None, join: str, tolerance: float) -> tuple[np.ndarray, np.ndarray]:
    """For each network row: the host row it is scored with (-1 = none) -> (host_index, host_present)."""
    n = len(network.frame)
    if host is None:
        return np.full(n, -1), np.zeros(n, dtype=bool)
    if join == "position":
        if len(host.frame) != n:
            raise MmidsInputError(f"--join position needs as many host rows as network rows: {network.source} has "
                                  f"{n}, {host.source} has {len(host.frame)}; use --join time_window (needs 'ts')")
        return np.arange(n), np.ones(n, dtype=bool)
    pairs = pair_rows(network.frame, host.frame, "time_window", tolerance=tolerance)
    index = np.full(n, -1)
    index[pairs.network] = pairs.host
    return index, index >= 0


def score(module: torch.nn.Module, sidecar: dict, network: LoadedTable, host: LoadedTable | None,
          join: str = "position", tolerance: float = 300.0, batch_size: int = 256) -> pd.DataFrame:
    """One row per network row: ``predicted``, ``prob_<class>`` for every class, ``host_present``.
    Rows go through the model ``batch_size`` at a time (small batches keep a CNN in the CPU caches)."""
    cols, vocab = sidecar["columns"], sidecar["vocabularies"]
    net_num, net_codes = encode_columns(network.frame, cols["network"]["numeric"], cols["network"]["categorical"],
                                        vocab["network"])
    host_index, present = pair_host(network, host, join, tolerance)
    n = len(network.frame)
    h_num = np.full((n, len(cols["host"]["numeric"])), np.nan, dtype=np.float32)
    h_codes = np.zeros((n, len(cols["host"]["categorical"])), dtype=np.int64)
    if host is not None and present.any():
        num, codes = encode_columns(host.frame, cols["host"]["numeric"], cols["host"]["categorical"], vocab["host"])
        h_num[present], h_codes[present] = num[host_index[present]], codes[host_index[present]]
    mask = np.stack([np.ones(n, np.float32), present.astype(np.float32)], axis=1)
    arrays = [torch.from_numpy(a) for a in (net_num, net_codes, h_num, h_codes, mask)]
    probs = []
    with torch.no_grad():
        for start in range(0, n, batch_size):
            probs.append(module(*(a[start:start + batch_size] for a in arrays)))
    p = torch.cat(probs).numpy() if probs else np.zeros((0, len(sidecar["class_names"])), np.float32)
    names = sidecar["class_names"]
    out = pd.DataFrame({"row": np.arange(n), "predicted": np.asarray(names, dtype=object)[p.argmax(axis=1)]})
    for j, c in enumerate(names):
        out[f"prob_{c}"] = p[:, j]
    out["host_present"] = present
    if "type" in network.frame:
        out["true_type"] = network.frame["type"].to_numpy()
    return out
