"""The LightningModule: encoders -> fusion -> head, plus loss, metrics, optimiser and scheduler."""

from __future__ import annotations

import lightning as L
import torch
import torch.nn.functional as F
from torchmetrics import MetricCollection
from torchmetrics.classification import MulticlassAccuracy, MulticlassConfusionMatrix, MulticlassF1Score

from mmids.config import ModelConfig, _build
from mmids.models.build import build_model
from mmids.models.losses import FocalLoss


def _metrics(num_classes: int) -> MetricCollection:
    return MetricCollection({
        "accuracy": MulticlassAccuracy(num_classes, average="micro"),
        "macro_f1": MulticlassF1Score(num_classes, average="macro"),
    })


class MultimodalClassifier(L.LightningModule):
    """Batches are (network [B, Dn], host [B, Dh], mask [B, 2], y [B]); ``forward`` returns logits [B, C].

    Hyperparameters are plain values (model config dict, data-derived sizes, class names), so a
    checkpoint rebuilds the same architecture without pickled objects.
    """

    def __init__(self, model: dict, network_dim: int, host_dim: int, class_names: list[str],
                 class_weights: list[float] | None = None, max_epochs: int = 10):
        super().__init__()
        self.save_hyperparameters()
        self.cfg: ModelConfig = _build(ModelConfig, model, "model.")
        n = len(class_names)
        self.model = build_model(self.cfg, network_dim, host_dim, n)
        weight = torch.tensor(class_weights, dtype=torch.float32) if class_weights is not None else None
        use_weight = weight if self.cfg.loss in ("weighted_cross_entropy", "focal") else None
        self.register_buffer("loss_weight", use_weight if use_weight is not None else torch.ones(0))
        self.focal = FocalLoss(self.cfg.focal_gamma, use_weight) if self.cfg.loss == "focal" else None
        self.train_metrics = _metrics(n).clone(prefix="train/")
        self.val_metrics = _metrics(n).clone(prefix="val/")
        self.test_metrics = _metrics(n).clone(prefix="test/")
        self.test_per_class = MulticlassF1Score(n, average="none")
        self.test_confusion = MulticlassConfusionMatrix(n)
        self.test_outputs: dict[str, list[torch.Tensor]] = {}  # this process's test rows only
        self.test_results: dict[str, list] = {}  # over all processes' test rows

    def forward(self, network: torch.Tensor, host: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.model(network, host, mask)

    def loss(self, logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if self.focal is not None:
            return self.focal(logits, y)
        return F.cross_entropy(logits, y, weight=self.loss_weight if self.loss_weight.numel() else None)

    def _step(self, batch, metrics: MetricCollection, stage: str) -> tuple[torch.Tensor, torch.Tensor]:
        network, host, mask, y = batch
        logits = self(network, host, mask)
        loss = self.loss(logits, y)
        metrics.update(logits.detach(), y)
        self.log(f"{stage}/loss", loss, on_step=False, on_epoch=True, prog_bar=stage != "test", batch_size=len(y),
                 sync_dist=True)  # averaged over processes once per epoch, not per step
        return loss, logits

    def drop_modalities(self, mask: torch.Tensor) -> torch.Tensor:
        """Modality dropout: mask out host (p = host_dropout) or else network (p = network_dropout)
        per row, so the model learns to score rows with a modality missing. mask [B, 2] -> [B, 2]."""
        p_host, p_net = self.cfg.host_dropout, self.cfg.network_dropout
        if p_host == 0 and p_net == 0:
            return mask
        r = torch.rand(mask.shape[0], 2, device=mask.device)
        drop_host = r[:, 0] < p_host
        drop_net = (r[:, 1] < p_net) & ~drop_host
        return mask * torch.stack([~drop_net, ~drop_host], dim=1).to(mask.dtype)

    def training_step(self, batch, batch_idx):
        network, host, mask, y = batch
        return self._step((network, host, self.drop_modalities(mask), y), self.train_metrics, "train")[0]

    def validation_step(self, batch, batch_idx):
        self._step(batch, self.val_metrics, "val")

    def test_step(self, batch, batch_idx):
        network, host, mask, y = batch
        _, logits = self._step(batch, self.test_metrics, "test")
        self.test_per_class.update(logits, y)
        self.test_confusion.update(logits, y)
        out = self.test_outputs
        out.setdefault("embedding", []).append(self.model.embed(network, host, mask).detach())
        out.setdefault("y", []).append(y)
        out.setdefault("probs", []).append(torch.softmax(logits, dim=1).detach())

    def on_test_epoch_start(self) -> None:
        self.test_outputs = {}

    def _log_epoch(self, metrics: MetricCollection) -> None:
        # compute() gathers the states of every process, so the logged values are already global
        self.log_dict(metrics.compute(), prog_bar=True, sync_dist=True)
        metrics.reset()

    def on_train_epoch_end(self) -> None:
        self._log_epoch(self.train_metrics)

    def on_validation_epoch_end(self) -> None:
        self._log_epoch(self.val_metrics)

    def on_test_epoch_end(self) -> None:
        self._log_epoch(self.test_metrics)
        self.test_results = {"per_class_f1": self.test_per_class.compute().tolist(),
                             "confusion": self.test_confusion.compute().tolist()}

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.cfg.lr, weight_decay=self.cfg.weight_decay)
        if self.cfg.scheduler == "none":
            return opt
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(1, self.hparams.max_epochs))
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "epoch"}}
