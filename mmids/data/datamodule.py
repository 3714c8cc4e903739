"""From a ``DataConfig`` to paired, split, encoded tensors, and the ``LightningDataModule`` over them.

Order of operations (each step only sees what it may): load and clean both modalities -> keep the
classes both modalities have -> split each table (one split of events when pairing is ``aligned``)
-> pair rows within each split -> fit preprocessing on training rows -> encode every row.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import lightning as L
import numpy as np
import pandas as pd
import torch
from torch.utils.data import DataLoader, Dataset, Sampler

from mmids.config import DataConfig
from mmids.data.loaders import LoadedTable, clean_frame, count_duplicates, load_host, load_network
from mmids.data.pairing import Pairs, pair_rows
from mmids.data.preprocessing import ModalityPreprocessor
from mmids.data.reduction import Reducer, fit_reducer
from mmids.data.splits import SplitIndices, split_rows
from mmids.data.synthetic import generate
from mmids.errors import MmidsInputError

MODALITIES = ("network", "host")


class TensorPairs(Dataset):
    """Paired rows as tensors. ``ds[list_of_indices]`` returns a whole batch:
    (network [B, Dn] float32, host [B, Dh] float32, mask [B, 2] float32 (1 = present), y [B] int64).

    With ``host_index`` [N] int64, ``host`` holds each distinct host row once ([M, Dh]) and batches
    gather their rows from it: millions of flows paired with a few thousand host snapshots then cost
    N integers, not N host vectors. Reading ``.host`` always gives the per-pair [N, Dh] matrix."""

    def __init__(self, network: torch.Tensor, host: torch.Tensor, y: torch.Tensor, mask: torch.Tensor | None = None,
                 host_index: torch.Tensor | None = None):
        self.network, self.y = network, y
        self._host, self.host_index = host, host_index
        self.mask = mask if mask is not None else torch.ones(len(y), 2)

    @property
    def host(self) -> torch.Tensor:
        """[N, Dh], gathered on each access when host rows are shared."""
        return self._host if self.host_index is None else self._host[self.host_index]

    @host.setter
    def host(self, value: torch.Tensor) -> None:
        self._host, self.host_index = value, None

    def __len__(self) -> int:
        return len(self.y)

    def __getitem__(self, idx):
        idx = torch.as_tensor(idx)
        host = self._host[idx] if self.host_index is None else self._host[self.host_index[idx]]
        return self.network[idx], host, self.mask[idx], self.y[idx]


@dataclass
class PreparedData:
    """Everything a run needs from the data side."""

    splits: dict[str, TensorPairs]
    preprocessors: dict[str, ModalityPreprocessor]
    class_names: list[str]
    class_weights: torch.Tensor
    reducer: Reducer
    info: dict = field(default_factory=dict)
    pairs: dict[str, Pairs] = field(default_factory=dict)
    source_rows: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)  # split -> modality -> table rows

    @property
    def feature_dims(self) -> dict[str, int]:
        """Encoded widths before any reduction."""
        return {m: self.preprocessors[m].output_dim for m in MODALITIES}

    @property
    def dims(self) -> dict[str, int]:
        """Model input widths (after reduction)."""
        return self.reducer.output_dims(self.feature_dims)


def load_tables(cfg: DataConfig) -> tuple[LoadedTable, LoadedTable]:
    """Clean network and host tables from the stand-in or from TON_IoT files under ``cfg.root``."""
    if cfg.source == "synthetic":
        data = generate(cfg.rows, seed=cfg.synthetic_seed, difficulty=cfg.difficulty)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the stand-in's dirt is deliberate
            net = clean_frame(data.network, "network", data.identity)
            host = clean_frame(data.host, "host", data.identity)
        return net, host
    return (load_network(cfg.root, layout=cfg.source),
            load_host(cfg.root, layout=cfg.source, host_os=cfg.host_os))


def _duplicates(table: LoadedTable) -> np.ndarray:
    return table.duplicate_mask if table.duplicate_mask is not None else count_duplicates(table.frame).to_numpy()


def _drop_duplicates(net: LoadedTable, host: LoadedTable, aligned: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    keep_net = ~_duplicates(net)
    # aligned: an event is a duplicate when its flow row is, and both rows go
    keep_host = keep_net if aligned else ~_duplicates(host)
    return net.frame.loc[keep_net].reset_index(drop=True), host.frame.loc[keep_host].reset_index(drop=True)


def _common_classes(net: pd.DataFrame, host: pd.DataFrame, notes: list[str]) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    n_cls, h_cls = set(net["type"].unique()), set(host["type"].unique())
    common = sorted(n_cls & h_cls)
    only = sorted(n_cls ^ h_cls)
    if not common:
        raise MmidsInputError(f"the network and host tables share no class (network: {sorted(n_cls)}, "
                              f"host: {sorted(h_cls)})")
    if only:
        where = [f"{c} ({'network' if c in n_cls else 'host'} only)" for c in only]
        msg = f"classes present in only one modality dropped from fused data: {', '.join(where)}"
        warnings.warn(msg, stacklevel=3)
        notes.append(msg)
        net = net.loc[net["type"].isin(common).to_numpy()].reset_index(drop=True)
        host = host.loc[host["type"].isin(common).to_numpy()].reset_index(drop=True)
    if len(common) < 2:
        raise MmidsInputError(f"only one class ({common[0]}) is left: a classifier needs at least two")
    return net, host, common


def _split(frame: pd.DataFrame, cfg: DataConfig, seed: int) -> SplitIndices:
    ts = frame["ts"].to_numpy(dtype=np.float64) if "ts" in frame else None
    if cfg.split == "chronological" and ts is None:
        raise MmidsInputError("data.split 'chronological' needs a 'ts' column: use data.source 'processed' "
                              "or 'synthetic' (Train_Test files carry no timestamps)")
    return split_rows(frame["type"].to_numpy(), method=cfg.split, ts=ts, val=cfg.val_fraction,
                      test=cfg.test_fraction, seed=seed)


def _encode_rows(pre: ModalityPreprocessor, frame: pd.DataFrame,
                 rows: dict[str, np.ndarray]) -> dict[str, tuple[torch.Tensor, torch.Tensor | None]]:
    """Per split, (features, index): rows used once (aligned pairing, the larger table) are encoded
    straight into their split (index None); a table whose rows the pairing reuses is encoded once,
    shared by every split, and indexed per pair."""
    if sum(len(r) for r in rows.values()) > 2 * len(frame):
        full = pre.transform(frame)
        return {k: (full, torch.from_numpy(np.asarray(r, dtype=np.int64))) for k, r in rows.items()}
    return {k: (pre.transform(frame, rows=r), None) for k, r in rows.items()}


def prepare_data(cfg: DataConfig, seed: int = 0, tables: tuple[LoadedTable, LoadedTable] | None = None) -> PreparedData:
    """Run the whole data pipeline for one configuration (``tables`` skips loading)."""
    net_t, host_t = tables if tables is not None else load_tables(cfg)
    notes: list[str] = []
    net, host = net_t.frame, host_t.frame
    aligned = cfg.pairing == "aligned" or (cfg.pairing == "shuffled" and len(net) == len(host))
    if cfg.drop_duplicates:
        net, host = _drop_duplicates(net_t, host_t, aligned)
    net, host, class_names = _common_classes(net, host, notes)
    if aligned:
        if len(net) != len(host):
            raise MmidsInputError(f"'aligned' pairing needs as many network as host rows (got {len(net)} and "
                                  f"{len(host)}); use time_window or class_conditional")
        s = _split(net, cfg, seed)
        net_split = host_split = s
    else:
        net_split, host_split = _split(net, cfg, seed), _split(host, cfg, seed + 1)

    base = "aligned" if aligned else "class_conditional"
    pairs: dict[str, Pairs] = {}
    rows: dict[str, dict[str, np.ndarray]] = {}
    for i, name in enumerate(("train", "val", "test")):
        n_rows, h_rows = net_split.as_dict()[name], host_split.as_dict()[name]
        p = pair_rows(net.iloc[n_rows], host.iloc[h_rows], cfg.pairing, seed=seed * 7 + i,
                      tolerance=cfg.time_tolerance_s, base=base)
        if len(p) == 0:
            raise MmidsInputError(f"pairing '{cfg.pairing}' produced no {name} pairs "
                                  f"(time_window: no host snapshot within {cfg.time_tolerance_s} s?)")
        pairs[name] = p
        rows[name] = {"network": n_rows[p.network], "host": h_rows[p.host]}

    pre = {
        "network": ModalityPreprocessor.fit(net.iloc[net_split.train], net_t.schema,
                                            include_identifiers=cfg.include_identifiers, max_categories=cfg.max_categories),
        "host": ModalityPreprocessor.fit(host.iloc[host_split.train], host_t.schema,
                                         include_identifiers=cfg.include_identifiers, max_categories=cfg.max_categories),
    }
    features = {m: _encode_rows(pre[m], frame, {k: r[m] for k, r in rows.items()})
                for m, frame in (("network", net), ("host", host))}
    splits = {}
    for name, p in pairs.items():
        y = torch.from_numpy(pd.Index(class_names).get_indexer(p.labels).astype(np.int64))
        (network, net_index), (host_rows, host_index) = features["network"][name], features["host"][name]
        if net_index is not None:  # the network table is the reused one: materialise its side
            network = network[net_index]
        splits[name] = TensorPairs(network, host_rows, y, host_index=host_index)
    train = splits["train"]
    reducer = fit_reducer(cfg.reduce, cfg.reduce_on, train.network, train.host if cfg.reduce != "none" else None,
                          n_components=cfg.n_components, max_fraction=cfg.reduce_max_fraction, seed=seed)
    if reducer.kind != "none":
        start = time.perf_counter()
        for name, ds in splits.items():
            ds.network, ds.host = reducer.transform(ds.network, ds.host, ds.mask, fitted_rows=name == "train")
        reducer.transform_seconds = time.perf_counter() - start
    counts = torch.bincount(splits["train"].y, minlength=len(class_names)).float()
    weights = torch.where(counts > 0, counts.sum() / (len(class_names) * counts.clamp(min=1)), torch.zeros_like(counts))

    host_types = host["type"].to_numpy()
    info = {
        "pairing": cfg.pairing,
        "pairing_base": base if cfg.pairing == "shuffled" else None,
        "split": cfg.split,
        "source": cfg.source,
        "network": net_t.summary(),
        "host": host_t.summary(),
        "classes": class_names,
        "rows": {k: len(v) for k, v in splits.items()},
        "rows_per_class": {k: {c: int((p.labels == c).sum()) for c in class_names} for k, p in pairs.items()},
        "host_class_agreement": {k: float((host_types[rows[k]["host"]] == p.labels).mean()) for k, p in pairs.items()},
        "features": {m: pre[m].output_dim for m in MODALITIES},
        "reduction": reducer.summary(),
        "notes": notes + net_t.notes + host_t.notes,
    }
    return PreparedData(splits, pre, class_names, weights, reducer, info, pairs, rows)


class EpochBatchSampler(Sampler):
    """Batches of row indices whose order depends only on (seed, epoch), so a run resumed from a
    checkpoint sees the same batches as an uninterrupted one. ``weights``: class-balanced sampling
    with replacement; ``shuffle=False``: sequential.

    Across ``world`` processes, process ``rank`` takes every world-th row of the same order and cuts
    it into as many batches as every other process (DDP steps in lockstep); no row is repeated, so
    evaluation metrics gathered over processes count each row once."""

    def __init__(self, n: int, batch_size: int, seed: int, shuffle: bool = True, weights: torch.Tensor | None = None,
                 epoch: Callable[[], int] = lambda: 0, rank: int = 0, world: int = 1):
        if not 0 <= rank < world:
            raise ValueError(f"rank {rank} outside a world of {world}")
        self.n, self.batch_size, self.seed, self.shuffle, self.weights = n, batch_size, seed, shuffle, weights
        self.epoch = epoch  # read when an epoch's iteration starts
        self.rank, self.world = rank, world

    def __len__(self) -> int:
        per_process = (self.n + self.world - 1) // self.world
        return (per_process + self.batch_size - 1) // self.batch_size

    def __iter__(self):
        g = torch.Generator().manual_seed(self.seed * 100_003 + self.epoch())
        if self.weights is not None:
            order = torch.multinomial(self.weights, self.n, replacement=True, generator=g)
        elif self.shuffle:
            order = torch.randperm(self.n, generator=g)
        else:
            order = torch.arange(self.n)
        if self.world == 1:
            yield from order.split(self.batch_size)
        else:
            yield from (b for b in order[self.rank::self.world].tensor_split(len(self)) if len(b))


class MultimodalDataModule(L.LightningDataModule):
    """Batches of (network, host, mask, y) tensors from in-memory tensors (no per-row pandas)."""

    def __init__(self, cfg: DataConfig, seed: int = 0, prepared: PreparedData | None = None):
        super().__init__()
        self.cfg, self.seed = cfg, seed
        self.prepared = prepared

    def setup(self, stage: str | None = None) -> None:
        if self.prepared is None:
            self.prepared = prepare_data(self.cfg, self.seed)

    @property
    def data(self) -> PreparedData:
        self.setup()
        assert self.prepared is not None
        return self.prepared

    def _loader(self, split: str, train: bool) -> DataLoader:
        ds = self.data.splits[split]
        weights = self.data.class_weights[ds.y].double() if train and self.cfg.sampler == "weighted" else None
        size = self.cfg.batch_size if train else max(1024, self.cfg.batch_size)
        rank, world = self._placement()
        sampler = EpochBatchSampler(len(ds), size, self.seed, shuffle=train, weights=weights, epoch=self._epoch,
                                    rank=rank, world=world)
        return DataLoader(ds, sampler=sampler, batch_size=None)

    def _placement(self) -> tuple[int, int]:
        """(global rank, world size) of this process; (0, 1) outside a distributed trainer."""
        trainer = getattr(self, "trainer", None)
        return (int(trainer.global_rank), int(trainer.world_size)) if trainer is not None else (0, 1)

    def _epoch(self) -> int:
        trainer = getattr(self, "trainer", None)
        return int(trainer.current_epoch) if trainer is not None else 0

    def train_dataloader(self) -> DataLoader:
        return self._loader("train", True)

    def val_dataloader(self) -> DataLoader:
        return self._loader("val", False)

    def test_dataloader(self) -> DataLoader:
        return self._loader("test", False)
