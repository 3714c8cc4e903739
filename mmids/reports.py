"""What a finished run shows a person: the printed test report, plots and TensorBoard extras."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch


def text_report(metrics: dict, run_dir: Path | str) -> str:
    """Per-class test table plus the headline numbers."""
    t = metrics["test"]
    lines = [
        f"test report: {metrics['config_name']} (encoder={metrics['model']['encoder']}, "
        f"fusion={metrics['model']['fusion']}, pairing={metrics['pairing']}, split={metrics['split']})",
        f"{'class':<12}{'support':>9}{'F1':>9}",
    ]
    for name, f1 in t["per_class_f1"].items():
        lines.append(f"{name:<12}{t['support'][name]:>9}{f1:>9.4f}")
    lines += [
        f"{'accuracy':<12}{sum(t['support'].values()):>9}{t['accuracy']:>9.4f}",
        f"{'macro-F1':<12}{'':>9}{t['macro_f1']:>9.4f}",
        f"parameters {metrics['parameters']:,}; trained {metrics['epochs_trained']} epoch(s) in "
        f"{metrics['train_seconds']:.1f} s; best val macro-F1 {metrics['best_val_macro_f1']:.4f}",
        f"run folder: {run_dir}",
    ]
    return "\n".join(lines)


def confusion_figure(confusion: list[list[int]], names: list[str], title: str = "test confusion matrix"):
    """A row-normalised confusion-matrix heatmap with counts (matplotlib Figure)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cm = np.asarray(confusion, dtype=float)
    norm = cm / np.clip(cm.sum(axis=1, keepdims=True), 1, None)
    fig, ax = plt.subplots(figsize=(1.0 + 0.7 * len(names), 0.8 + 0.6 * len(names)))
    ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(names)), names, rotation=45, ha="right")
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    for i in range(len(names)):
        for j in range(len(names)):
            if cm[i, j]:
                ax.text(j, i, int(cm[i, j]), ha="center", va="center", fontsize=8,
                        color="white" if norm[i, j] > 0.5 else "black")
    fig.tight_layout()
    return fig


def log_test_artifacts(logger, system, data, metrics: dict, hparams: dict, run_dir: Path,
                       max_embeddings: int = 2000) -> None:
    """Confusion matrix (image + PNG), per-class F1, HParams with final metrics, projector embeddings."""
    import matplotlib.pyplot as plt

    writer = logger.experiment
    step = int(metrics["epochs_trained"])
    names = data.class_names
    fig = confusion_figure(metrics["test"]["confusion_matrix"], names)
    fig.savefig(run_dir / "confusion_matrix.png", dpi=110)
    writer.add_figure("test/confusion_matrix", fig, global_step=step)
    plt.close(fig)
    for name, f1 in metrics["test"]["per_class_f1"].items():
        writer.add_scalar(f"test_per_class_f1/{name}", f1, global_step=step)
    logger.log_hyperparams(hparams, metrics={"hp/test_accuracy": metrics["test"]["accuracy"],
                                             "hp/test_macro_f1": metrics["test"]["macro_f1"],
                                             "hp/best_val_macro_f1": metrics["best_val_macro_f1"] or 0.0})
    out = system.test_outputs
    if out.get("embedding"):
        emb, y = torch.cat(out["embedding"]), torch.cat(out["y"])
        keep = torch.randperm(len(y), generator=torch.Generator().manual_seed(0))[:max_embeddings]
        writer.add_embedding(emb[keep].float(), metadata=[names[i] for i in y[keep].tolist()],
                             tag="test_fused_embedding", global_step=step)
    writer.flush()
