"""Missing-modality robustness: score a run's test rows with a growing share of one modality masked."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.metrics import f1_score

from mmids.data.datamodule import PreparedData, prepare_data
from mmids.runs import LoadedRun

FRACTIONS = (0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0)


@torch.no_grad()
def sweep(run: LoadedRun, data: PreparedData | None = None, fractions=FRACTIONS, seed: int = 0) -> dict:
    """Macro-F1 on the test split when a fraction of rows lacks the host (or the network) modality.

    Returns {"host_missing": {fraction: macro_f1}, "network_missing": {...}, "auc_relative": {...}};
    ``auc_relative`` is the area under the macro-F1-vs-fraction curve divided by the clean macro-F1
    (1.0 = no loss at any missing rate)."""
    data = data or prepare_data(run.config.data, seed=run.config.seed)
    test = data.splits["test"]
    y = test.y.numpy()
    order = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))
    out: dict = {}
    for modality, column in (("host_missing", 1), ("network_missing", 0)):
        curve = {}
        for f in fractions:
            mask = test.mask.clone()
            mask[order[: int(round(f * len(y)))], column] = 0.0
            pred = run.system(test.network, test.host, mask).argmax(1).numpy()
            curve[float(f)] = float(f1_score(y, pred, average="macro"))
        out[modality] = curve
    xs = np.asarray(fractions, dtype=float)

    def area(ys: np.ndarray) -> float:  # trapezoid rule
        return float(((ys[1:] + ys[:-1]) / 2 * np.diff(xs)).sum())

    out["auc_relative"] = {k: area(np.array([out[k][f] for f in fractions])) / (xs[-1] - xs[0]) / out[k][0.0]
                           for k in ("host_missing", "network_missing")}
    return out


def sweep_figure(curves: dict[str, dict], title: str = "missing-modality robustness (test macro-F1)"):
    """One line per (run, modality): curves = {label: sweep result}."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 4.2))
    for label, result in curves.items():
        for key, style in (("host_missing", "-o"), ("network_missing", "--s")):
            xs = list(result[key])
            ax.plot([100 * x for x in xs], [result[key][x] for x in xs], style, label=f"{label}: {key.replace('_', ' ')}")
    ax.set_xlabel("% of test rows with the modality missing")
    ax.set_ylabel("test macro-F1")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.set_title(title)
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    return fig
