"""Typed, validated run configuration: YAML in, dataclasses out, dotted CLI overrides.

An unknown key or a value of the wrong type or outside its allowed set is one ``MmidsInputError``
naming the dotted key and what is allowed. Validation imports nothing heavy, so a bad config fails
in well under a second.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args, get_origin

import yaml

from mmids.errors import MmidsInputError

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"


@dataclass
class DataConfig:
    """Where the rows come from, how modalities are paired and split, and how they are encoded."""

    source: Literal["synthetic", "train_test", "processed"] = "synthetic"
    root: str | None = None  # TON_IoT folder (or one written by make_dataset.py); unused for synthetic
    host_os: Literal["windows10", "windows7"] = "windows10"
    rows: int = 20_000  # synthetic events
    difficulty: float = 0.0  # synthetic: 0 (default) .. 1 (hard)
    synthetic_seed: int = 0
    pairing: Literal["aligned", "time_window", "class_conditional", "cross_class", "shuffled"] = "aligned"
    time_tolerance_s: float = 300.0
    split: Literal["stratified", "chronological"] = "stratified"
    val_fraction: float = 0.15
    test_fraction: float = 0.15
    drop_duplicates: bool = False
    include_identifiers: bool = False
    max_categories: int = 16
    batch_size: int = 256
    sampler: Literal["shuffle", "weighted"] = "shuffle"
    reduce: Literal["none", "pca", "umap"] = "none"
    n_components: int | float = 0.95  # int: count; float in (0, 1): PCA explained-variance fraction
    reduce_on: Literal["fused", "per_modality"] = "fused"
    reduce_max_fraction: float = 0.5  # at most this fraction of the input features is kept


@dataclass
class ModelConfig:
    """Encoder family, fusion head and loss; input sizes come from the data module."""

    encoder: Literal["cnn", "mlp", "transformer"] = "cnn"
    fusion: Literal["early", "late", "attention", "network", "host"] = "early"
    embed_dim: int = 64
    mlp_hidden: list[int] = field(default_factory=lambda: [128, 64])
    cnn_channels: list[int] = field(default_factory=lambda: [16, 32])
    cnn_kernel: int = 5
    transformer_dim: int = 32
    transformer_heads: int = 4
    transformer_layers: int = 2
    attention_heads: int = 4
    dropout: float = 0.1
    host_dropout: float = 0.0  # training: probability a row's host modality is masked (modality dropout)
    network_dropout: float = 0.0  # the same for the network modality (never both in one row)
    loss: Literal["cross_entropy", "weighted_cross_entropy", "focal"] = "cross_entropy"
    focal_gamma: float = 2.0
    lr: float = 2e-3
    weight_decay: float = 1e-4
    scheduler: Literal["none", "cosine"] = "cosine"


@dataclass
class TrainerConfig:
    """Passed to ``lightning.Trainer`` (plus early stopping on validation macro-F1)."""

    max_epochs: int = 15
    patience: int = 4
    accelerator: str = "cpu"
    devices: int | str = 1  # per node; batch_size is per process, so the global batch is batch_size x devices x num_nodes
    strategy: str = "auto"  # "ddp" for several processes (gloo on CPU, nccl on GPU)
    num_nodes: int = 1
    log_every_n_steps: int = 20
    deterministic: bool = True
    enable_progress_bar: bool = True
    num_threads: int = 0  # torch intra-op threads; 0 = leave torch's default


SUPERVISED = Literal["xgboost", "random_forest", "extra_trees", "hist_gradient_boosting", "decision_tree",
                     "logistic_regression", "linear_svm", "knn", "gaussian_nb", "mlp"]
CLUSTERING = Literal["agglomerative", "kmeans", "gaussian_mixture", "birch", "dbscan"]


@dataclass
class BaselinesConfig:
    """Non-deep models run by ``scripts/baselines.py`` on the same data pipeline as the deep runs."""

    models: list[SUPERVISED] = field(default_factory=lambda: ["xgboost", "random_forest"])
    clustering: list[CLUSTERING] = field(default_factory=list)
    views: list[Literal["network", "host", "fused"]] = field(default_factory=lambda: ["network", "host", "fused"])
    class_weight: Literal["balanced", "none"] = "balanced"
    n_clusters: int | None = None  # default: number of classes
    cluster_split: Literal["train", "val", "test"] = "test"
    cluster_max_rows: int = 5000  # subsample cap for quadratic-memory methods (agglomerative, dbscan)
    dbscan_eps: float = 3.0
    n_jobs: int = 2


@dataclass
class StudyConfig:
    """The comparison grid of ``scripts/benchmark.py``: models x views x reductions x seeds."""

    encoders: list[Literal["cnn", "mlp", "transformer"]] = field(default_factory=lambda: ["cnn", "mlp", "transformer"])
    fusions: list[Literal["early", "late", "attention", "network", "host"]] = field(
        default_factory=lambda: ["early", "late", "attention", "network", "host"])
    baselines: list[SUPERVISED] = field(default_factory=lambda: [
        "xgboost", "random_forest", "extra_trees", "hist_gradient_boosting", "decision_tree",
        "logistic_regression", "linear_svm", "knn", "gaussian_nb", "mlp"])
    clustering: list[CLUSTERING] = field(default_factory=lambda: ["agglomerative", "kmeans", "birch", "gaussian_mixture"])
    views: list[Literal["network", "host", "fused"]] = field(default_factory=lambda: ["network", "host", "fused"])
    reductions: list[Literal["none", "pca", "umap"]] = field(default_factory=lambda: ["none", "pca", "umap"])
    seeds: list[int] = field(default_factory=lambda: [0, 1, 2])
    controls: Literal["auto", "always", "never"] = "auto"  # auto: when data.pairing is not 'aligned'
    control_models: list[str] = field(default_factory=lambda: ["cnn-early", "cnn-network", "cnn-host", "xgboost"])
    chronological: bool = True  # add chronological-split cells for control_models when the data has ts


@dataclass
class Config:
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    trainer: TrainerConfig = field(default_factory=TrainerConfig)
    baselines: BaselinesConfig = field(default_factory=BaselinesConfig)
    study: StudyConfig = field(default_factory=StudyConfig)
    seed: int = 0
    run_name: str | None = None  # default: <config stem>-<timestamp>
    output_dir: str = "checkpoints"
    config_name: str = "default"


def _describe(tp) -> str:
    if get_origin(tp) is Literal:
        return "one of " + ", ".join(repr(a) for a in get_args(tp))
    if get_origin(tp) in (typing.Union, types.UnionType):
        return " or ".join(_describe(a) for a in get_args(tp))
    if get_origin(tp) is list:
        return f"a list of {_describe(get_args(tp)[0])}"
    return {int: "an integer", float: "a number", str: "a string", bool: "true/false",
            type(None): "null"}.get(tp, str(tp))


def _coerce(value, tp, key: str):
    origin = get_origin(tp)
    if origin is Literal:
        if value in get_args(tp):
            return value
    elif origin in (typing.Union, types.UnionType):
        for arg in get_args(tp):
            try:
                return _coerce(value, arg, key)
            except MmidsInputError:
                continue
    elif origin is list:
        if isinstance(value, list):
            return [_coerce(v, get_args(tp)[0], f"{key}[{i}]") for i, v in enumerate(value)]
    elif tp is type(None):
        if value is None:
            return None
    elif tp is bool:
        if isinstance(value, bool):
            return value
    elif tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif tp is str:
        if isinstance(value, str):
            return value
    raise MmidsInputError(f"config key '{key}': got {value!r}, expected {_describe(tp)}")


def _build(cls, values: dict, prefix: str):
    if not isinstance(values, dict):
        raise MmidsInputError(f"config key '{prefix.rstrip('.') or '<root>'}': expected a mapping, got {values!r}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = [k for k in values if k not in fields]
    if unknown:
        raise MmidsInputError(f"unknown config key '{prefix}{unknown[0]}'; allowed keys under "
                              f"'{prefix.rstrip('.') or '<root>'}': {', '.join(fields)}")
    kwargs = {}
    for name, value in values.items():
        tp = hints[name]
        if dataclasses.is_dataclass(tp):
            kwargs[name] = _build(tp, value or {}, f"{prefix}{name}.")
        else:
            kwargs[name] = _coerce(value, tp, f"{prefix}{name}")
    return cls(**kwargs)


def _check_ranges(cfg: Config) -> None:
    d, m, t = cfg.data, cfg.model, cfg.trainer
    checks = [
        ("data.rows", d.rows >= 32, "at least 32"),
        ("data.difficulty", 0.0 <= d.difficulty <= 1.0, "in [0, 1]"),
        ("data.val_fraction", 0.0 < d.val_fraction < 0.5, "in (0, 0.5)"),
        ("data.test_fraction", 0.0 < d.test_fraction < 0.5, "in (0, 0.5)"),
        ("data.batch_size", d.batch_size >= 1, "at least 1"),
        ("data.max_categories", d.max_categories >= 1, "at least 1"),
        ("data.time_tolerance_s", d.time_tolerance_s > 0, "positive"),
        ("data.root", d.source == "synthetic" or bool(d.root), "set to the TON_IoT folder when data.source is not 'synthetic'"),
        ("data.n_components", (isinstance(d.n_components, int) and d.n_components >= 1)
         or (isinstance(d.n_components, float) and 0.0 < d.n_components < 1.0),
         "an integer >= 1 or a variance fraction in (0, 1)"),
        ("data.reduce_max_fraction", 0.0 < d.reduce_max_fraction <= 1.0, "in (0, 1]"),
        ("data.reduce_on", d.reduce == "none" or d.reduce_on == "per_modality" or m.fusion == "early",
         "'per_modality' unless model.fusion is 'early' (fused reduction leaves one input vector)"),
        ("model.embed_dim", m.embed_dim >= 2, "at least 2"),
        ("model.dropout", 0.0 <= m.dropout < 1.0, "in [0, 1)"),
        ("model.host_dropout", 0.0 <= m.host_dropout < 1.0, "in [0, 1)"),
        ("model.network_dropout", 0.0 <= m.network_dropout < 1.0, "in [0, 1)"),
        ("model.lr", m.lr > 0, "positive"),
        ("model.cnn_channels", len(m.cnn_channels) >= 1 and min(m.cnn_channels) >= 1, "a non-empty list of positive integers"),
        ("model.mlp_hidden", min(m.mlp_hidden, default=1) >= 1, "a list of positive integers"),
        ("model.transformer_dim", m.transformer_dim % m.transformer_heads == 0, "divisible by model.transformer_heads"),
        ("model.embed_dim", m.embed_dim % m.attention_heads == 0, "divisible by model.attention_heads"),
        ("trainer.max_epochs", t.max_epochs >= 1, "at least 1"),
        ("baselines.n_clusters", cfg.baselines.n_clusters is None or cfg.baselines.n_clusters >= 2, "null or at least 2"),
        ("baselines.cluster_max_rows", cfg.baselines.cluster_max_rows >= 10, "at least 10"),
        ("trainer.patience", t.patience >= 1, "at least 1"),
        ("trainer.num_nodes", t.num_nodes >= 1, "at least 1"),
    ]
    for key, ok, allowed in checks:
        if not ok:
            raise MmidsInputError(f"config key '{key}': value not allowed; must be {allowed}")


def from_dict(values: dict) -> Config:
    cfg = _build(Config, values, "")
    _check_ranges(cfg)
    return cfg


def to_dict(cfg: Config) -> dict:
    return dataclasses.asdict(cfg)


def resolve_config_path(name: str | Path) -> Path:
    """A path as given, else ``configs/NAME`` (``.yaml`` may be omitted)."""
    p = Path(name)
    candidates = [p, CONFIG_DIR / p, CONFIG_DIR / f"{p}.yaml", Path.cwd() / "configs" / p]
    for c in candidates:
        if c.is_file():
            return c
    available = sorted(f.name for f in CONFIG_DIR.glob("*.yaml")) if CONFIG_DIR.is_dir() else []
    raise MmidsInputError(f"config not found (looked in configs/); available: {', '.join(available)}",
                          source=str(name))


def parse_overrides(items: list[str]) -> dict:
    """``['--model.fusion', 'attention', '--trainer.max_epochs=3']`` -> nested dict (YAML-typed values)."""
    out: dict = {}
    i = 0
    while i < len(items):
        item = items[i]
        if not item.startswith("--") or len(item) < 3:
            raise MmidsInputError(f"unexpected argument {item!r}; overrides look like --section.key value")
        if "=" in item:
            key, raw = item[2:].split("=", 1)
            i += 1
        else:
            if i + 1 >= len(items):
                raise MmidsInputError(f"override {item!r} has no value")
            key, raw = item[2:], items[i + 1]
            i += 2
        try:
            value = yaml.safe_load(raw) if raw != "" else ""
        except yaml.YAMLError:
            value = raw
        node = out
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise MmidsInputError(f"override '{key}' conflicts with another override")
        node[parts[-1]] = value
    return out


def _merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for k, v in extra.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def load_config(name: str | Path | None = None, overrides: list[str] | dict | None = None) -> Config:
    """Load ``configs/NAME`` (or a path), apply overrides, validate."""
    values: dict = {}
    stem = "default"
    if name is not None:
        path = resolve_config_path(name)
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise MmidsInputError(f"not valid YAML: {str(exc).splitlines()[0]}", source=str(path)) from None
        if loaded is not None and not isinstance(loaded, dict):
            raise MmidsInputError("top level must be a mapping of sections (data, model, trainer, ...)", source=str(path))
        values = loaded or {}
        stem = path.stem
    if overrides:
        values = _merge(values, overrides if isinstance(overrides, dict) else parse_overrides(overrides))
    values.setdefault("config_name", stem)
    return from_dict(values)


def dump_yaml(cfg: Config) -> str:
    return yaml.safe_dump(to_dict(cfg), sort_keys=False)
