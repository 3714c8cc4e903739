"""Per-modality preprocessing fitted on the training split only, serialisable to plain JSON.

Encoding happens in two steps so that the fitted part can travel inside an exported model:
1. ``encode`` (pandas side): pick the feature columns in a fixed order, numeric values as float
   (missing = NaN) and categories as integer codes (0 = missing, 1 = unseen/rare, 2.. = vocabulary);
2. ``FeatureTransform`` (torch side, an ``nn.Module`` with buffers only): impute medians, signed
   log1p for heavy-tailed columns, standard scaling clipped to +-10, one-hot categories.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
import torch
from torch import nn

from mmids.data.schema import CATEGORICAL, IDENTIFIER, NETWORK_HEAVY_TAILED, NUMERIC, Schema

MISSING_CODE, UNKNOWN_CODE = 0, 1


@dataclass
class PreprocessorState:
    """Everything fitted, as plain lists (JSON-able)."""

    modality: str
    numeric: list[str]
    categorical: list[str]
    vocabularies: dict[str, list[str]]
    median: list[float]
    log_scale: list[bool]
    mean: list[float]
    std: list[float]
    dropped_constant: list[str] = field(default_factory=list)

    @property
    def feature_names(self) -> list[str]:
        names = list(self.numeric)
        for col in self.categorical:
            names += [f"{col}=<missing>", f"{col}=<other>"] + [f"{col}={v}" for v in self.vocabularies[col]]
        return names


def category_codes(col: pd.Series, vocabulary: list[str]) -> np.ndarray:
    """[n] int64: 0 = missing, 1 = not in ``vocabulary``, 2 + i = vocabulary[i]. Values are compared as
    strings; the lookup runs once per distinct value, not per row."""
    cat = col if isinstance(col.dtype, pd.CategoricalDtype) else col.astype("category")
    index = pd.Index(vocabulary).get_indexer(cat.cat.categories.astype(str))
    lookup = np.append(np.where(index < 0, UNKNOWN_CODE, index + 2), MISSING_CODE)  # code -1 (missing) -> last
    return lookup[cat.cat.codes.to_numpy()]


def encode_columns(frame: pd.DataFrame, numeric: list[str], categorical: list[str],
                   vocabularies: dict[str, list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """Columns in a fixed order: (numeric [n, len(numeric)] float32, NaN = missing;
    codes [n, len(categorical)] int64: 0 = missing, 1 = unseen, 2 + i = vocabularies[col][i])."""
    values = (frame[numeric].to_numpy(dtype=np.float32, na_value=np.nan)
              if numeric else np.zeros((len(frame), 0), np.float32))
    codes = np.empty((len(frame), len(categorical)), dtype=np.int64)
    for j, c in enumerate(categorical):
        codes[:, j] = category_codes(frame[c], vocabularies[c])
    return np.require(values, requirements="W"), codes


def top_categories(col: pd.Series, max_categories: int) -> list[str]:
    """The ``max_categories`` most frequent values seen at least twice (as strings; ties in order of
    first appearance), sorted."""
    cat = col if isinstance(col.dtype, pd.CategoricalDtype) else col.astype("category")
    codes = cat.cat.codes.to_numpy()
    present, first, counts = np.unique(codes[codes >= 0], return_index=True, return_counts=True)
    names = cat.cat.categories.astype(str).to_numpy()[present]
    table = pd.DataFrame({"name": names, "count": counts, "first": first})
    table = table.groupby("name", sort=False).agg(count=("count", "sum"), first=("first", "min"))
    table = table.sort_values(["count", "first"], ascending=[False, True])
    return sorted(table.index[table["count"] >= 2][:max_categories].tolist())


def numeric_statistics(frame: pd.DataFrame, numeric: list[str]) -> dict[str, list]:
    """Median (NaN/inf imputed), log-scaling choice, mean and std after scaling, one column at a time
    (memory: a few copies of one column, not of the whole matrix)."""
    out: dict[str, list] = {"median": [], "log_scale": [], "mean": [], "std": []}
    for c in numeric:
        values = frame[c].to_numpy(dtype=np.float64, na_value=np.nan)
        values = np.where(np.isfinite(values), values, np.nan)
        median = 0.0 if np.isnan(values).all() else float(np.nanmedian(values))
        filled = np.where(np.isnan(values), median, values)
        skew = pd.Series(filled).skew()
        log = (c in NETWORK_HEAVY_TAILED) or bool(filled.min() >= 0 and np.nan_to_num(skew) > 2.0)
        scaled = np.sign(filled) * np.log1p(np.abs(filled)) if log else filled
        std = float(scaled.std())
        out["median"].append(median)
        out["log_scale"].append(log)
        out["mean"].append(float(scaled.mean()))
        out["std"].append(std if std > 1e-12 else 1.0)
    return out


class FeatureTransform(nn.Module):
    """Raw encoded features to model inputs.

    forward(numeric [B, n_numeric] float32 (NaN = missing), codes [B, n_categorical] int64)
    -> features [B, n_numeric + one-hot width] float32.
    """

    def __init__(self, state: PreprocessorState):
        super().__init__()
        f32 = dict(dtype=torch.float32)
        self.register_buffer("median", torch.tensor(state.median, **f32).reshape(-1))
        self.register_buffer("log_scale", torch.tensor(state.log_scale, dtype=torch.bool).reshape(-1))
        self.register_buffer("mean", torch.tensor(state.mean, **f32).reshape(-1))
        self.register_buffer("std", torch.tensor(state.std, **f32).reshape(-1))
        sizes = [len(state.vocabularies[c]) + 2 for c in state.categorical]
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]) if sizes else np.zeros(0)
        self.register_buffer("offsets", torch.tensor(offsets, dtype=torch.int64).reshape(-1))
        self.register_buffer("sizes", torch.tensor(sizes, dtype=torch.int64).reshape(-1))
        self.onehot_width = int(sum(sizes))
        self.output_dim = len(state.numeric) + self.onehot_width

    def forward(self, numeric: torch.Tensor, codes: torch.Tensor) -> torch.Tensor:
        x = torch.where(torch.isfinite(numeric), numeric, self.median)
        x = torch.where(self.log_scale, torch.sign(x) * torch.log1p(torch.abs(x)), x)
        x = ((x - self.mean) / self.std).clamp(-10.0, 10.0)
        codes = torch.minimum(codes.clamp(min=0), self.sizes - 1) + self.offsets
        onehot = torch.zeros(codes.shape[0], self.onehot_width, dtype=x.dtype, device=x.device)
        onehot.scatter_(1, codes, 1.0)
        return torch.cat([x, onehot], dim=1)


class ModalityPreprocessor:
    """Fit on training rows of one modality; encode any frame with the same schema."""

    def __init__(self, state: PreprocessorState):
        self.state = state
        self._module: FeatureTransform | None = None  # built once, reused by transform()

    @classmethod
    def fit(cls, frame: pd.DataFrame, schema: Schema, *, include_identifiers: bool = False,
            max_categories: int = 16) -> ModalityPreprocessor:
        numeric = [c for c in schema.columns if schema.roles[c] == NUMERIC]
        categorical = [c for c in schema.columns if schema.roles[c] == CATEGORICAL]
        if include_identifiers:
            for c in schema.by_role(IDENTIFIER):
                (categorical if c.endswith("_ip") else numeric).append(c)
        constant = [c for c in numeric + categorical if frame[c].nunique(dropna=False) <= 1]
        numeric = [c for c in numeric if c not in constant]
        categorical = [c for c in categorical if c not in constant]
        stats = numeric_statistics(frame, numeric)
        vocabularies = {c: top_categories(frame[c], max_categories) for c in categorical}
        state = PreprocessorState(modality=schema.modality, numeric=numeric, categorical=categorical,
                                  vocabularies=vocabularies, dropped_constant=constant, **stats)
        return cls(state)

    def encode(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """(numeric [n, n_numeric] float32 with NaN, codes [n, n_categorical] int64)."""
        s = self.state
        return encode_columns(frame, s.numeric, s.categorical, s.vocabularies)

    def transform_module(self) -> FeatureTransform:
        return FeatureTransform(self.state)

    def transform(self, frame: pd.DataFrame, rows: np.ndarray | None = None, chunk_rows: int = 262_144) -> torch.Tensor:
        """Model-ready features [n, output_dim] float32 of ``frame`` (or of ``frame.iloc[rows]``),
        encoded ``chunk_rows`` at a time into one output tensor: the intermediate codes and one-hot
        blocks, and the selected rows, never exist for all rows at once."""
        if self._module is None:
            self._module = self.transform_module()
        n = len(frame) if rows is None else len(rows)
        out = torch.empty(n, self.output_dim, dtype=torch.float32)
        with torch.no_grad():
            for start in range(0, n, chunk_rows):
                part = slice(start, start + chunk_rows)
                numeric, codes = self.encode(frame.iloc[part if rows is None else rows[part]])
                out[part] = self._module(torch.from_numpy(numeric), torch.from_numpy(codes))
        return out

    @property
    def output_dim(self) -> int:
        return len(self.state.numeric) + sum(len(v) + 2 for v in self.state.vocabularies.values())

    def to_json(self) -> str:
        return json.dumps(asdict(self.state))

    @classmethod
    def from_json(cls, text: str) -> ModalityPreprocessor:
        return cls(PreprocessorState(**json.loads(text)))
