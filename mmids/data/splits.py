"""Train/validation/test splits of one modality's rows, made before any pairing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SPLITS = ("stratified", "chronological")


@dataclass
class SplitIndices:
    """Row indices of one table per split; disjoint and covering every row."""

    train: np.ndarray
    val: np.ndarray
    test: np.ndarray

    def as_dict(self) -> dict[str, np.ndarray]:
        return {"train": self.train, "val": self.val, "test": self.test}


def _counts(n: int, val: float, test: float) -> tuple[int, int]:
    n_val, n_test = int(round(n * val)), int(round(n * test))
    if n >= 3:  # every class in every split when it has the rows for it
        n_val, n_test = max(1, n_val), max(1, n_test)
    while n_val + n_test >= n and n_val + n_test > 0:
        if n_val >= n_test and n_val > 0:
            n_val -= 1
        else:
            n_test -= 1
    return n_val, n_test


def split_rows(labels: np.ndarray, *, method: str = "stratified", ts: np.ndarray | None = None,
               val: float = 0.15, test: float = 0.15, seed: int = 0) -> SplitIndices:
    """Per class: a random (``stratified``) or time-ordered (``chronological``: earliest rows
    train, latest test) cut, so each class keeps its share in every split."""
    if method not in SPLITS:
        raise ValueError(f"unknown split {method!r}; allowed: {SPLITS}")
    if method == "chronological" and ts is None:
        raise ValueError("chronological split needs a 'ts' column (processed TON_IoT files or the stand-in)")
    rng = np.random.default_rng(seed)
    parts: dict[str, list[np.ndarray]] = {"train": [], "val": [], "test": []}
    labels = np.asarray(labels)
    for cls in np.unique(labels):
        idx = np.flatnonzero(labels == cls)
        if method == "stratified":
            idx = rng.permutation(idx)
        else:
            idx = idx[np.argsort(ts[idx], kind="stable")]
        n_val, n_test = _counts(len(idx), val, test)
        n_train = len(idx) - n_val - n_test
        parts["train"].append(idx[:n_train])
        parts["val"].append(idx[n_train:n_train + n_val])
        parts["test"].append(idx[n_train + n_val:])
    return SplitIndices(*(np.sort(np.concatenate(parts[k])) for k in ("train", "val", "test")))
