"""Cells of the comparison grid. A cell is one model on one view, reduction, pairing, split and seed."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from mmids.config import Config

FUSION_VIEW = {"early": "fused", "late": "fused", "attention": "fused", "network": "network", "host": "host"}


@dataclass(frozen=True)
class Cell:
    family: str  # deep | baseline | clustering
    model: str  # e.g. cnn-early, xgboost, agglomerative
    view: str
    reduction: str
    pairing: str
    split: str
    seed: int

    @property
    def id(self) -> str:
        return f"{self.family}.{self.model}.{self.view}.{self.reduction}.{self.pairing}.{self.split}.s{self.seed}"

    @property
    def data_key(self) -> tuple[str, str, str, int]:
        """Cells with the same key share one prepared dataset."""
        return (self.reduction, self.pairing, self.split, self.seed)

    def as_dict(self) -> dict:
        return {**asdict(self), "cell": self.id}


def build_grid(cfg: Config, has_ts: bool) -> list[Cell]:
    """Main grid plus honesty controls (other pairings) and chronological-split cells."""
    st, base_pairing, base_split = cfg.study, cfg.data.pairing, cfg.data.split
    cells: list[Cell] = []
    for seed in st.seeds:
        for red in st.reductions:
            for enc in st.encoders:
                for fusion in st.fusions:
                    view = FUSION_VIEW[fusion]
                    if view in st.views:
                        cells.append(Cell("deep", f"{enc}-{fusion}", view, red, base_pairing, base_split, seed))
            for model in st.baselines:
                for view in st.views:
                    cells.append(Cell("baseline", model, view, red, base_pairing, base_split, seed))
            for model in st.clustering:
                for view in st.views:
                    cells.append(Cell("clustering", model, view, red, base_pairing, base_split, seed))
    controls = st.controls == "always" or (st.controls == "auto" and base_pairing != "aligned")
    extra = []
    if controls:
        extra += [("cross_class", base_split), ("shuffled", base_split)]
    if st.chronological and has_ts and base_split != "chronological":
        extra.append((base_pairing, "chronological"))
    for pairing, split in extra:
        for seed in st.seeds:
            for model in st.control_models:
                family = "deep" if "-" in model else "baseline"
                views = [FUSION_VIEW[model.split("-")[1]]] if family == "deep" else st.views
                for view in views:
                    if pairing != base_pairing and view != "fused":
                        continue  # a single view does not depend on the pairing
                    cells.append(Cell(family, model, view, "none", pairing, split, seed))
    return cells
