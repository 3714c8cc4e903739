"""Training cost through mmids (Lightning, data module, metrics) vs a bare PyTorch loop.

    python benchmarks/training_overhead.py [--epochs 3] [--rows 20000] [--profile]

Same tensors (the default pipeline's training split), same fused 1D-CNN (fused_cnn.yaml), same
batch size, same optimiser; validation off in both. Prints seconds per epoch and the ratio.
``--profile``: one more mmids epoch under ``torch.profiler``, top operators by self CPU time.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
import warnings

import lightning as L
import torch
import torch.nn.functional as F

from mmids.config import load_config
from mmids.data.datamodule import MultimodalDataModule, prepare_data
from mmids.models.build import build_model
from mmids.models.system import MultimodalClassifier


def bare_loop(cfg, data, epochs: int) -> float:
    torch.manual_seed(0)
    model = build_model(cfg.model, data.dims["network"], data.dims["host"], len(data.class_names))
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.model.lr, weight_decay=cfg.model.weight_decay)
    ds = data.splits["train"]
    start = time.perf_counter()
    for epoch in range(epochs):
        model.train()
        for idx in torch.randperm(len(ds), generator=torch.Generator().manual_seed(epoch)).split(cfg.data.batch_size):
            loss = F.cross_entropy(model(ds.network[idx], ds.host[idx], ds.mask[idx]), ds.y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return (time.perf_counter() - start) / epochs


def through_mmids(cfg, data, epochs: int) -> float:
    L.seed_everything(0, verbose=False)
    system = MultimodalClassifier(dataclasses.asdict(cfg.model), data.dims["network"], data.dims["host"],
                                  data.class_names, data.class_weights.tolist(), max_epochs=epochs)
    trainer = L.Trainer(max_epochs=epochs, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False, limit_val_batches=0,
                        num_sanity_val_steps=0, deterministic=True)
    start = time.perf_counter()
    trainer.fit(system, datamodule=MultimodalDataModule(cfg.data, 0, data))
    return (time.perf_counter() - start) / epochs


def profile_one_epoch(cfg, data, top: int = 12) -> None:
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU]) as prof:
        through_mmids(cfg, data, 1)
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=top))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    cfg = load_config("fused_cnn.yaml", ["--data.rows", str(args.rows)])
    data = prepare_data(cfg.data, seed=0)
    bare_loop(cfg, data, 1)  # warm-up (allocator, oneDNN kernels)
    bare = bare_loop(cfg, data, args.epochs)
    ours = through_mmids(cfg, data, args.epochs)
    print(f"training rows {len(data.splits['train']):,}, batch {cfg.data.batch_size}, fused 1D-CNN, {args.epochs} epochs each")
    print(f"bare PyTorch loop: {bare:.3f} s/epoch")
    print(f"mmids (Lightning + data module + torchmetrics): {ours:.3f} s/epoch")
    print(f"ratio: {ours / bare:.2f}x (target <= 1.15x)")
    if args.profile:
        profile_one_epoch(cfg, data)


if __name__ == "__main__":
    main()
