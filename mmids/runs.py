"""Reload a finished run: ``run = load_run("checkpoints/<run>")`` then ``run.predict_proba(...)``.

Only plain files are read: ``config.yaml``, ``preprocessing.json`` and ``best.ckpt`` loaded with
``torch.load(weights_only=True)``; nothing is unpickled.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from mmids.config import Config, load_config
from mmids.data.preprocessing import ModalityPreprocessor, PreprocessorState
from mmids.data.reduction import Reducer
from mmids.errors import MmidsInputError
from mmids.models.system import MultimodalClassifier


@dataclass
class LoadedRun:
    """A trained model with the preprocessing it was trained with."""

    run_dir: Path
    config: Config
    system: MultimodalClassifier  # eval mode, CPU
    preprocessors: dict[str, ModalityPreprocessor]
    class_names: list[str]
    reducer: Reducer

    @torch.no_grad()
    def predict_tensors(self, network: torch.Tensor, host: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """Preprocessed features -> class probabilities [B, C]."""
        if mask is None:
            mask = torch.ones(len(network), 2)
        return torch.softmax(self.system(network, host, mask), dim=1)

    def features(self, network: pd.DataFrame, host: pd.DataFrame | None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Clean frames (row i of each is one pair; ``host=None`` = host missing) -> model inputs
        (encoded, then reduced when the run used PCA)."""
        x_net = self.preprocessors["network"].transform(network)
        mask = torch.ones(len(network), 2)
        if host is None:
            x_host = torch.zeros(len(network), self.preprocessors["host"].output_dim)
            mask[:, 1] = 0
        else:
            if len(host) != len(network):
                raise MmidsInputError(f"network and host tables have {len(network)} and {len(host)} rows; "
                                      "rows are paired by position")
            x_host = self.preprocessors["host"].transform(host)
        if self.reducer.kind != "none":
            x_net, x_host = self.reducer.transform(x_net, x_host, mask)
        return x_net, x_host, mask

    def predict_proba(self, network: pd.DataFrame, host: pd.DataFrame | None = None) -> np.ndarray:
        """Clean frames (as returned by the loaders) -> probabilities [n, C], columns = ``class_names``."""
        return self.predict_tensors(*self.features(network, host)).numpy()

    def predict(self, network: pd.DataFrame, host: pd.DataFrame | None = None) -> np.ndarray:
        return np.asarray(self.class_names, dtype=object)[self.predict_proba(network, host).argmax(axis=1)]


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MmidsInputError(f"cannot read run file ({exc.__class__.__name__})", source=str(path)) from None


def load_run(run_dir: str | Path, checkpoint: str = "best.ckpt") -> LoadedRun:
    """Rebuild the model and preprocessing of ``checkpoints/<run>``; predictions match training's."""
    run_dir = Path(run_dir)
    for name in ("config.yaml", "preprocessing.json", checkpoint):
        if not (run_dir / name).is_file():
            raise MmidsInputError(f"not a finished mmids run: {name} is missing", source=str(run_dir))
    cfg = load_config(run_dir / "config.yaml")
    pre = _read_json(run_dir / "preprocessing.json")
    try:
        ckpt = torch.load(run_dir / checkpoint, map_location="cpu", weights_only=True)
        system = MultimodalClassifier(**ckpt["hyper_parameters"])
        system.load_state_dict(ckpt["state_dict"])
    except Exception as exc:  # corrupted / foreign file: one message
        raise MmidsInputError(f"cannot load checkpoint ({exc.__class__.__name__}: {str(exc).splitlines()[0][:200]})",
                              source=str(run_dir / checkpoint)) from None
    system.eval()
    preprocessors = {m: ModalityPreprocessor(PreprocessorState(**pre[m])) for m in ("network", "host")}
    red = pre.get("reduction", {"kind": "none", "on": "fused", "state": {}})
    reducer = Reducer(red["kind"], red["on"], red["state"])
    return LoadedRun(run_dir, cfg, system, preprocessors, list(pre["class_names"]), reducer)
