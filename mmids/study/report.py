"""report.md and plots from the grid's results.csv. Every number in the report is computed here
from results.csv (mean +- std over seeds), nothing is typed in."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from mmids.data.files import atomic_save, atomic_write_text

VIEWS = ("network", "host", "fused")


def fmt(values: pd.Series) -> str:
    """'mean ± std (n)' of a metric over seeds."""
    v = values.dropna().astype(float)
    if v.empty:
        return "–"
    return f"{v.mean():.4f} ± {v.std(ddof=0):.4f}" if len(v) > 1 else f"{v.mean():.4f}"


def _md(frame: pd.DataFrame) -> str:
    cols = list(frame.columns)
    lines = ["| " + " | ".join(str(c) for c in cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def _family_key(model: str) -> str:
    """cnn-early / cnn-late / cnn-attention compare with cnn-network and cnn-host."""
    return model.split("-")[0] if "-" in model else model


def main_rows(results: pd.DataFrame, pairing: str, split: str) -> pd.DataFrame:
    r = results[(results.pairing == pairing) & (results.split == split)]
    return r[r.family != "clustering"]


def single_vs_fused(results: pd.DataFrame, reduction: str, pairing: str, split: str, metric: str = "macro_f1") -> pd.DataFrame:
    """Per model: network / host / fused (mean ± std) and the fusion gain over the best single view."""
    r = main_rows(results, pairing, split)
    r = r[r.reduction == reduction]
    rows = []
    for model in sorted(r.model.unique(), key=lambda m: (r[r.model == m].family.iloc[0], m)):
        sub = r[r.model == model]
        family = sub.family.iloc[0]
        if family == "deep" and model.split("-")[1] in ("network", "host"):
            continue  # shown as the single views of their encoder's fused rows
        if family == "deep":
            enc = _family_key(model)
            single = {v: r[(r.model == f"{enc}-{v}")][metric] for v in ("network", "host")}
            fused = sub[metric]
        else:
            single = {v: sub[sub.view == v][metric] for v in ("network", "host")}
            fused = sub[sub.view == "fused"][metric]
        best_single = max((s.mean() for s in single.values() if len(s)), default=np.nan)
        rows.append({"model": model, "family": family, "network": fmt(single["network"]), "host": fmt(single["host"]),
                     "fused": fmt(fused), "fusion gain": f"{fused.mean() - best_single:+.4f}" if len(fused) else "–",
                     "_gain": fused.mean() - best_single if len(fused) else np.nan})
    return pd.DataFrame(rows)


def reduction_table(results: pd.DataFrame, pairing: str, split: str) -> pd.DataFrame:
    r = main_rows(results, pairing, split)
    r = r[(r.view == "fused")]
    rows = []
    for model in sorted(r.model.unique()):
        sub = r[r.model == model]
        row = {"model": model}
        for red in ("none", "pca", "umap"):
            row[red] = fmt(sub[sub.reduction == red]["macro_f1"])
        rows.append(row)
    return pd.DataFrame(rows)


def reduction_times(results: pd.DataFrame) -> pd.DataFrame:
    """Fit + transform seconds of each reduction (one per seed and data variant), with input widths."""
    r = results[results.reduction != "none"].drop_duplicates(["reduction", "pairing", "split", "seed"])
    rows = []
    for red in ("pca", "umap"):
        sub = r[r.reduction == red]
        if sub.empty:
            continue
        total = sub.reduction_fit_seconds + sub.reduction_transform_seconds
        rows.append({"reduction": red, "fit + transform seconds": fmt(total), "_mean": total.mean()})
    return pd.DataFrame(rows)


def clustering_table(results: pd.DataFrame, pairing: str, split: str, reduction: str = "none") -> pd.DataFrame:
    r = results[(results.family == "clustering") & (results.pairing == pairing) & (results.split == split) &
                (results.reduction == reduction)]
    rows = []
    for model in sorted(r.model.unique()):
        sub = r[r.model == model]
        rows.append({"method": model, **{v: fmt(sub[sub.view == v]["ari"]) for v in VIEWS}})
    return pd.DataFrame(rows)


def controls_table(results: pd.DataFrame, base_pairing: str, base_split: str) -> pd.DataFrame:
    r = results[(results.reduction == "none") & (results.family != "clustering")]
    variants = r[["pairing", "split"]].drop_duplicates().itertuples(index=False)
    variants = sorted(variants, key=lambda v: (v.pairing != base_pairing or v.split != base_split, v.pairing, v.split))
    if len(variants) < 2:
        return pd.DataFrame()
    controlled = r[(r.pairing != base_pairing) | (r.split != base_split)][["model", "view"]].drop_duplicates()
    rows = []
    for m in controlled.itertuples(index=False):
        row = {"model": m.model, "view": m.view}
        for v in variants:
            sub = r[(r.model == m.model) & (r.view == m.view) & (r.pairing == v.pairing) & (r.split == v.split)]
            row[f"{v.pairing} / {v.split}"] = fmt(sub["macro_f1"])
        rows.append(row)
    return pd.DataFrame(rows)


def _plots(results: pd.DataFrame, gains: pd.DataFrame, pairing: str, split: str, out: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = []

    def save(fig, name: str) -> None:
        atomic_save(out / name, lambda p: fig.savefig(p, dpi=110, format="png"))
        plt.close(fig)
        names.append(name)

    g = gains.dropna(subset=["_gain"]).sort_values("_gain")
    if not g.empty:
        fig, ax = plt.subplots(figsize=(7, 0.3 * len(g) + 1.2))
        ax.barh(g.model, g._gain, color=["tab:blue" if f == "deep" else "tab:orange" for f in g.family])
        ax.set_xlabel("fusion gain: fused macro-F1 - best single-view macro-F1 (mean over seeds)")
        ax.set_title("fusion gain per model (blue: deep, orange: baselines)")
        fig.tight_layout()
        save(fig, "fusion_gain.png")

    r = main_rows(results, pairing, split)
    r = r[(r.reduction == "none") & (r.view == "fused")].dropna(subset=["per_class_f1"])
    if not r.empty:
        per_class = r.groupby("model")["per_class_f1"].apply(
            lambda s: pd.DataFrame([json.loads(v) for v in s]).mean())
        heat = per_class.unstack()
        fig, ax = plt.subplots(figsize=(1.0 + 0.8 * heat.shape[1], 0.35 * heat.shape[0] + 1.5))
        im = ax.imshow(heat.to_numpy(), cmap="viridis", vmin=0, vmax=1, aspect="auto")
        ax.set_xticks(range(heat.shape[1]), heat.columns, rotation=45, ha="right")
        ax.set_yticks(range(heat.shape[0]), heat.index)
        fig.colorbar(im, ax=ax, label="test F1 (mean over seeds)")
        ax.set_title("per-class F1, fused view, no reduction")
        fig.tight_layout()
        save(fig, "per_class_f1.png")

    r = main_rows(results, pairing, split)
    if not r.empty:
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for red, marker in (("none", "o"), ("pca", "s"), ("umap", "^")):
            sub = r[(r.reduction == red) & (r.view == "fused")].groupby("model")[["fit_seconds", "macro_f1"]].mean()
            ax.scatter(sub.fit_seconds, sub.macro_f1, marker=marker, label=f"fused, {red}", alpha=0.8)
        ax.set_xscale("log")
        ax.set_xlabel("fit seconds (log)")
        ax.set_ylabel("test macro-F1")
        ax.set_title("time vs accuracy (mean over seeds)")
        ax.grid(alpha=0.3)
        ax.legend()
        fig.tight_layout()
        save(fig, "time_vs_accuracy.png")
    return names


def write_report(results: pd.DataFrame, out: str | Path, *, pairing: str, split: str, command: str,
                 note: str = "") -> Path:
    out = Path(out)
    gains = single_vs_fused(results, "none", pairing, split)
    plots = _plots(results, gains, pairing, split, out)
    times = reduction_times(results)
    lines = [
        "# mmids comparison grid",
        "",
        f"Command: `{command}`",
        "",
        f"Pairing: **{pairing}**; split: **{split}**; seeds: {sorted(results.seed.unique().tolist())}; "
        f"{len(results)} cells. Dataset: {results.dataset.iloc[0] if 'dataset' in results else '?'}.",
    ]
    if note:
        lines += ["", note]
    lines += ["", "## Single view vs fused (test macro-F1, mean ± std over seeds, no reduction)", "",
              _md(gains.drop(columns=["_gain"])) if not gains.empty else "–", ""]
    acc = single_vs_fused(results, "none", pairing, split, metric="accuracy")
    if not acc.empty:
        lines += ["## Single view vs fused (test accuracy)", "", _md(acc.drop(columns=["_gain"])), ""]
    red = reduction_table(results, pairing, split)
    if not red.empty and results.reduction.nunique() > 1:
        lines += ["## Reduction: fused view, test macro-F1 (PCA and UMAP per modality, same component count)", "",
                  _md(red), ""]
        if not times.empty:
            lines += ["Fit + transform time of the reduction itself (all training rows, both modalities):", "",
                      _md(times.drop(columns=["_mean"])), ""]
            if set(times.reduction) == {"pca", "umap"}:
                ratio = times.set_index("reduction")._mean
                lines += [f"UMAP / PCA time ratio: **{ratio['umap'] / ratio['pca']:,.0f}x**", ""]
    clu = clustering_table(results, pairing, split)
    if not clu.empty:
        lines += ["## Clustering (ARI against the true classes, test split)", "", _md(clu), ""]
    ctl = controls_table(results, pairing, split)
    if not ctl.empty:
        lines += ["## Honesty controls (test macro-F1, no reduction)", "",
                  "`cross_class`: each flow is paired with a host row of another class; `shuffled`: host rows "
                  "permuted within each class (class-level information kept, co-occurrence destroyed); "
                  "`chronological`: per class, the earliest rows train and the latest test.", "", _md(ctl), ""]
    for name in plots:
        lines += [f"![{name}]({name})", ""]
    path = out / "report.md"
    atomic_write_text(path, "\n".join(lines))
    return path
