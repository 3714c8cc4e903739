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


def encode_columns(frame: pd.DataFrame, numeric: list[str], categorical: list[str],
                   vocabularies: dict[str, list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """Columns in a fixed order: (numeric [n, len(numeric)] float32, NaN = missing;
    codes [n, len(categorical)] int64: 0 = missing, 1 = unseen, 2 + i = vocabularies[col][i])."""
    values = (frame[numeric].to_numpy(dtype=np.float32, na_value=np.nan)
              if numeric else np.zeros((len(frame), 0), np.float32))
    codes = np.empty((len(frame), len(categorical)), dtype=np.int64)
    for j, c in enumerate(categorical):
        col = frame[c]
        idx = pd.Index(vocabularies[c]).get_indexer(col.astype(object).where(col.notna(), None).astype(str))
        codes[:, j] = np.where(col.isna().to_numpy(), MISSING_CODE, np.where(idx < 0, UNKNOWN_CODE, idx + 2))
    return np.require(values, requirements="W"), codes


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
        values = frame[numeric].to_numpy(dtype=np.float64, na_value=np.nan) if numeric else np.zeros((len(frame), 0))
        values = np.where(np.isfinite(values), values, np.nan)
        median = np.nan_to_num(np.nanmedian(values, axis=0), nan=0.0) if numeric else np.zeros(0)
        filled = np.where(np.isnan(values), median, values)
        skew = pd.DataFrame(filled).skew().fillna(0.0).to_numpy()
        log_scale = np.array([(c in NETWORK_HEAVY_TAILED) or (filled[:, i].min() >= 0 and skew[i] > 2.0)
                              for i, c in enumerate(numeric)], dtype=bool)
        scaled = np.where(log_scale, np.sign(filled) * np.log1p(np.abs(filled)), filled)
        std = scaled.std(axis=0) if numeric else np.zeros(0)
        vocabularies = {}
        for c in categorical:
            counts = frame[c].dropna().astype(str).value_counts()
            top = counts[counts >= 2].head(max_categories)
            vocabularies[c] = sorted(top.index.tolist())
        state = PreprocessorState(
            modality=schema.modality, numeric=numeric, categorical=categorical, vocabularies=vocabularies,
            median=median.tolist(), log_scale=log_scale.tolist(), mean=scaled.mean(axis=0).tolist() if numeric else [],
            std=np.where(std > 1e-12, std, 1.0).tolist(), dropped_constant=constant)
        return cls(state)

    def encode(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """(numeric [n, n_numeric] float32 with NaN, codes [n, n_categorical] int64)."""
        s = self.state
        return encode_columns(frame, s.numeric, s.categorical, s.vocabularies)

    def transform_module(self) -> FeatureTransform:
        return FeatureTransform(self.state)

    def transform(self, frame: pd.DataFrame) -> torch.Tensor:
        """Model-ready features [n, output_dim] float32."""
        numeric, codes = self.encode(frame)
        if self._module is None:
            self._module = self.transform_module()
        with torch.no_grad():
            return self._module(torch.from_numpy(numeric), torch.from_numpy(codes))

    @property
    def output_dim(self) -> int:
        return len(self.state.numeric) + sum(len(v) + 2 for v in self.state.vocabularies.values())

    def to_json(self) -> str:
        return json.dumps(asdict(self.state))

    @classmethod
    def from_json(cls, text: str) -> ModalityPreprocessor:
        return cls(PreprocessorState(**json.loads(text)))
