"""Dimensionality reduction of the encoded features, fitted on training rows only.

PCA becomes a tensor op (``PCAProjection``: (x - mean) @ components) that travels inside the model
and its exported artefacts. UMAP (umap-learn) is for evaluation only: it has no tensor form, so runs
that use it cannot be exported or reloaded for prediction.

``on="fused"``: [network, host] features are concatenated and reduced together; the model then sees
the components in the network slot and a zero-width host input (early fusion only).
``on="per_modality"``: each modality is reduced on its own and every fusion head works unchanged.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from mmids.errors import MmidsInputError


class PCAProjection(nn.Module):
    """x [B, D] -> (x - mean) @ components -> [B, k]."""

    def __init__(self, mean: torch.Tensor, components: torch.Tensor):
        super().__init__()
        self.register_buffer("mean", mean.float())
        self.register_buffer("components", components.float())
        self.output_dim = int(components.shape[1])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) @ self.components


class IdentityProjection(nn.Module):
    """No reduction: (network, host) pass through."""

    def forward(self, network: torch.Tensor, host: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return network, host


class ModalityProjection(nn.Module):
    """Per-modality PCA: (network [B, Dn], host [B, Dh]) -> ([B, kn], [B, kh])."""

    def __init__(self, network: PCAProjection, host: PCAProjection):
        super().__init__()
        self.network, self.host = network, host

    def forward(self, network: torch.Tensor, host: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.network(network), self.host(host)


class FusedProjection(nn.Module):
    """Fused PCA: [network * m0, host * m1] [B, Dn + Dh] -> ([B, k], empty host [B, 0])."""

    def __init__(self, pca: PCAProjection):
        super().__init__()
        self.pca = pca

    def forward(self, network: torch.Tensor, host: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        z = self.pca(torch.cat([network * mask[:, 0:1], host * mask[:, 1:2]], dim=1))
        return z, host[:, :0]


@dataclass
class Reducer:
    """A fitted reduction; ``state`` is JSON-able for PCA (means and components as lists)."""

    kind: str  # none | pca | umap
    on: str  # fused | per_modality
    state: dict = field(default_factory=dict)
    fitted: dict = field(default_factory=dict)  # umap objects (in memory only)
    fit_seconds: float = 0.0
    transform_seconds: float = 0.0
    _module: nn.Module | None = field(default=None, repr=False, compare=False)  # PCA module, built once

    def output_dims(self, dims: dict[str, int]) -> dict[str, int]:
        if self.kind == "none":
            return dict(dims)
        k = self.state["n_components"]
        return {"network": k["fused"], "host": 0} if self.on == "fused" else {"network": k["network"], "host": k["host"]}

    def module(self) -> nn.Module:
        """The projection as an ``nn.Module`` (PCA and none only)."""
        if self.kind == "none":
            return IdentityProjection()
        if self.kind != "pca":
            raise MmidsInputError("UMAP-reduced runs cannot be exported or reloaded for prediction "
                                  "(UMAP has no tensor form); use data.reduce: pca")
        pca = {k: PCAProjection(torch.tensor(v["mean"]), torch.tensor(v["components"])) for k, v in self.state["pca"].items()}
        return FusedProjection(pca["fused"]) if self.on == "fused" else ModalityProjection(pca["network"], pca["host"])

    def transform(self, network: torch.Tensor, host: torch.Tensor, mask: torch.Tensor,
                  fitted_rows: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
        """Reduce features; ``fitted_rows``: these are the rows the reducer was fitted on (UMAP then
        returns its fitted embedding instead of re-projecting them)."""
        if self.kind != "umap":
            if self._module is None:
                self._module = self.module()
            with torch.no_grad():
                return self._module(network, host, mask)
        u = self.fitted
        if fitted_rows:
            emb = {k: torch.from_numpy(np.asarray(v.embedding_, np.float32)) for k, v in u.items()}
            return (emb["fused"], host[:, :0]) if self.on == "fused" else (emb["network"], emb["host"])
        if self.on == "fused":
            z = u["fused"].transform(torch.cat([network * mask[:, 0:1], host * mask[:, 1:2]], 1).numpy())
            return torch.from_numpy(np.asarray(z, np.float32)), host[:, :0]
        return (torch.from_numpy(np.asarray(u["network"].transform(network.numpy()), np.float32)),
                torch.from_numpy(np.asarray(u["host"].transform(host.numpy()), np.float32)))

    def summary(self) -> dict:
        out = {"kind": self.kind, "on": self.on, "fit_seconds": round(self.fit_seconds, 4),
               "transform_seconds": round(self.transform_seconds, 4)}
        if self.kind != "none":
            out.update({k: self.state[k] for k in ("input_dims", "n_components", "explained_variance") if k in self.state})
        return out


def component_count(x: np.ndarray, n_components: int | float, max_fraction: float) -> int:
    """An int is a count; a float in (0, 1) is a PCA explained-variance fraction. Capped at
    ``max_fraction`` of the input width (at least 1)."""
    cap = max(1, int(np.floor(x.shape[1] * max_fraction)))
    if isinstance(n_components, float):
        from sklearn.decomposition import PCA

        ratio = PCA().fit(x).explained_variance_ratio_
        k = int(np.searchsorted(np.cumsum(ratio), n_components) + 1)
    else:
        k = int(n_components)
    return max(1, min(k, cap, x.shape[0] - 1))


def fit_pca(x: np.ndarray, n_components: int | float, max_fraction: float, seed: int = 0) -> tuple[dict, int, float]:
    """One PCA fit: (state with mean and components [D, k], k, explained-variance fraction)."""
    from sklearn.decomposition import PCA

    cap = max(1, min(int(np.floor(x.shape[1] * max_fraction)), x.shape[0] - 1))
    pca = PCA(n_components=cap, random_state=seed).fit(x)
    if isinstance(n_components, float):
        k = int(np.searchsorted(np.cumsum(pca.explained_variance_ratio_), n_components) + 1)
    else:
        k = int(n_components)
    k = max(1, min(k, cap))
    state = {"mean": pca.mean_.astype(np.float32).tolist(),
             "components": pca.components_[:k].T.astype(np.float32).tolist()}
    return state, k, float(pca.explained_variance_ratio_[:k].sum())


def fit_umap(x: np.ndarray, k: int, seed: int = 0):
    try:
        import umap
    except ImportError:
        raise MmidsInputError("data.reduce 'umap' needs umap-learn: pip install 'mmids[umap]'") from None
    return umap.UMAP(n_components=k, random_state=seed, n_jobs=1).fit(x)


def fit_reducer(kind: str, on: str, train_network: torch.Tensor, train_host: torch.Tensor | None, *,
                n_components: int | float, max_fraction: float, seed: int = 0) -> Reducer:
    """Fit on training features only. ``train_*`` are the encoded features of training pairs
    (``None`` is enough with ``kind="none"``)."""
    if kind == "none":
        return Reducer("none", on)
    import sklearn.decomposition  # noqa: F401  (import time is not fit time)

    parts = ({"fused": torch.cat([train_network, train_host], 1).numpy()} if on == "fused"
             else {"network": train_network.numpy(), "host": train_host.numpy()})
    state: dict = {"input_dims": {k: int(v.shape[1]) for k, v in parts.items()}, "n_components": {},
                   "explained_variance": {}, "pca": {}}
    fitted = {}
    seconds = 0.0
    for name, x in parts.items():
        if kind == "pca":
            start = time.perf_counter()
            state["pca"][name], k, state["explained_variance"][name] = fit_pca(x, n_components, max_fraction, seed)
            seconds += time.perf_counter() - start
        else:
            k = component_count(x, n_components, max_fraction)  # not timed: UMAP's own cost only
            start = time.perf_counter()
            fitted[name] = fit_umap(x, k, seed)
            seconds += time.perf_counter() - start
        state["n_components"][name] = k
    return Reducer(kind, on, state, fitted, fit_seconds=seconds)
