"""One training run: data -> LightningModule -> best checkpoint, metrics.json, TensorBoard, report."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import platform
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import lightning as L
import numpy as np
import torch
from lightning.pytorch.callbacks import Callback, EarlyStopping, LearningRateMonitor, ModelCheckpoint
from lightning.pytorch.loggers import TensorBoardLogger
from lightning.pytorch.plugins.io import TorchCheckpointIO

import mmids
from mmids.config import Config, dump_yaml
from mmids.data.datamodule import MultimodalDataModule, PreparedData
from mmids.data.files import atomic_save, atomic_write_text
from mmids.errors import MmidsInputError
from mmids.models.build import count_parameters
from mmids.models.system import MultimodalClassifier
from mmids.reports import log_test_artifacts
from mmids.rundir import make_run_dir

MONITOR = "val/macro_f1"
BENIGN_WARNINGS = (  # expected on CPU with in-memory tensors and a run folder that holds config files
    ".*does not have many workers.*", ".*exists and is not empty.*", ".*smaller than the logging interval.*",
    ".*LeafSpec.*",
)


@dataclass
class RunResult:
    run_dir: Path
    metrics: dict
    system: MultimodalClassifier  # best-checkpoint weights, eval mode
    data: PreparedData
    is_global_zero: bool = True  # False in the other processes of a distributed run, which write nothing


class AtomicCheckpointIO(TorchCheckpointIO):
    """Checkpoints go to a temporary name and are renamed into place: a kill never leaves a torn file."""

    def save_checkpoint(self, checkpoint, path, storage_options=None) -> None:
        atomic_save(path, lambda tmp: torch.save(checkpoint, tmp))


class StepSeed(Callback):
    """Reseed torch before every training step from (seed, global step): dropout and modality
    dropout then depend on the step only, so a run resumed from its last checkpoint draws the same
    random numbers as an uninterrupted one."""

    def __init__(self, seed: int):
        self.seed = seed

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx) -> None:
        torch.manual_seed(self.seed * 1_000_003 + trainer.global_step + 7_919 * trainer.global_rank)


def save_preprocessing(run_dir: Path, data: PreparedData) -> None:
    state = {
        "class_names": data.class_names,
        "dims": data.dims,
        "network": json.loads(data.preprocessors["network"].to_json()),
        "host": json.loads(data.preprocessors["host"].to_json()),
        "reduction": {"kind": data.reducer.kind, "on": data.reducer.on, "state": data.reducer.state},
    }
    atomic_write_text(run_dir / "preprocessing.json", json.dumps(state, indent=1))


def model_size_bytes(module: torch.nn.Module) -> int:
    tensors = list(module.parameters()) + list(module.buffers())
    return int(sum(t.numel() * t.element_size() for t in tensors))


def _flat(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flat(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v if isinstance(v, (int, float, str, bool)) else str(v)
    return out


def build_trainer(cfg: Config, run_dir: Path, logger) -> tuple[L.Trainer, ModelCheckpoint]:
    t = cfg.trainer
    ckpt = ModelCheckpoint(dirpath=run_dir, filename="best", monitor=MONITOR, mode="max", save_top_k=1,
                           save_last=True, auto_insert_metric_name=False, enable_version_counter=False)
    callbacks = [ckpt, EarlyStopping(monitor=MONITOR, mode="max", patience=t.patience),
                 LearningRateMonitor(logging_interval="epoch"), StepSeed(cfg.seed)]
    trainer = L.Trainer(max_epochs=t.max_epochs, accelerator=t.accelerator, devices=t.devices, strategy=t.strategy,
                        num_nodes=t.num_nodes,
                        logger=logger, callbacks=callbacks, deterministic=t.deterministic,
                        enable_progress_bar=t.enable_progress_bar, log_every_n_steps=t.log_every_n_steps,
                        enable_model_summary=False, num_sanity_val_steps=0, plugins=[AtomicCheckpointIO()],
                        use_distributed_sampler=False)  # EpochBatchSampler shards by rank itself
    return trainer, ckpt


def train(cfg: Config, prepared: PreparedData | None = None, resume: str | Path | None = None) -> RunResult:
    """Train, keep the best validation macro-F1 checkpoint, test it, write every artefact.

    ``resume``: a run folder whose job was killed; training continues from its ``last.ckpt`` (the
    last completed epoch) with the folder's own config, and ends with the same metrics as an
    uninterrupted run on the same machine."""
    for pattern in BENIGN_WARNINGS:
        warnings.filterwarnings("ignore", message=pattern)
    L.seed_everything(cfg.seed, workers=True, verbose=False)
    if cfg.trainer.num_threads:
        torch.set_num_threads(cfg.trainer.num_threads)
    dm = MultimodalDataModule(cfg.data, cfg.seed, prepared)
    data = dm.data
    last = None
    worker = _launched_worker()
    if resume is not None:
        run_dir = Path(resume)
        last = run_dir / "last.ckpt"
        last = last if last.is_file() else None  # killed before the first epoch ended: start over
    elif worker:
        run_dir = _worker_run_dir(cfg)
    else:
        run_dir = make_run_dir(cfg)
        atomic_write_text(run_dir / "config.yaml", dump_yaml(cfg))
    if not worker:
        save_preprocessing(run_dir, data)

    system = MultimodalClassifier(model=dataclasses.asdict(cfg.model), network_dim=data.dims["network"],
                                  host_dim=data.dims["host"], class_names=data.class_names,
                                  class_weights=data.class_weights.tolist(), max_epochs=cfg.trainer.max_epochs)
    logger = TensorBoardLogger(save_dir=str(run_dir), name="tensorboard", version="", default_hp_metric=False)
    trainer, ckpt = build_trainer(cfg, run_dir, logger)
    start = time.perf_counter()
    with _run_dir_for_workers(run_dir):
        trainer.fit(system, datamodule=dm, ckpt_path=last)
    train_seconds = time.perf_counter() - start
    zero = trainer.is_global_zero
    if zero:
        (run_dir / "last.ckpt").unlink(missing_ok=True)  # finished: nothing left to resume

    if not ckpt.best_model_path:
        raise MmidsInputError("training produced no checkpoint (was max_epochs already reached?)", source=str(run_dir))
    trainer.strategy.barrier("best checkpoint written")
    best = torch.load(ckpt.best_model_path, map_location="cpu", weights_only=True)
    system.load_state_dict(best["state_dict"])
    trainer.test(system, datamodule=dm, verbose=False)
    system.eval()

    metrics = collect_metrics(cfg, system, data, trainer, ckpt, train_seconds)
    metrics["run"] = str(run_dir)
    if zero:
        log_test_artifacts(logger, system, data, metrics, _flat(dataclasses.asdict(cfg)), run_dir)
        atomic_write_text(run_dir / "metrics.json", json.dumps(metrics, indent=2))
    return RunResult(run_dir, metrics, system, data, is_global_zero=zero)


RUN_DIR_ENV = "MMIDS_RUN_DIR"


RANK_VARIABLES = ("LOCAL_RANK", "NODE_RANK", "RANK", "SLURM_PROCID")  # Lightning, torchrun, SLURM


def _launched_worker() -> bool:
    """True in any process of a distributed job but the first: one Lightning's DDP launcher started
    (LOCAL_RANK > 0), one on another node (NODE_RANK > 0), or one torchrun or SLURM started (RANK /
    SLURM_PROCID > 0). Such processes train but write no run files."""
    return any(os.environ.get(v, "0") != "0" for v in RANK_VARIABLES)


def _worker_run_dir(cfg: Config) -> Path:
    if os.environ.get(RUN_DIR_ENV):
        return Path(os.environ[RUN_DIR_ENV])
    if not cfg.run_name:
        raise MmidsInputError("a distributed run started on several nodes or by torchrun/SLURM needs the same "
                              "--run_name and a shared --output_dir in every process")
    return Path(cfg.output_dir) / cfg.run_name


@contextlib.contextmanager
def _run_dir_for_workers(run_dir: Path):
    """Processes the DDP launcher starts re-run this script with this environment: they join this
    run's folder instead of making their own."""
    previous = os.environ.get(RUN_DIR_ENV)
    os.environ[RUN_DIR_ENV] = str(run_dir)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(RUN_DIR_ENV, None)
        else:
            os.environ[RUN_DIR_ENV] = previous


def resume_config(run_dir: str | Path) -> Config:
    """The config of a run folder to resume (its own ``config.yaml``)."""
    from mmids.config import load_config

    run_dir = Path(run_dir)
    if not (run_dir / "config.yaml").is_file():
        raise MmidsInputError("cannot resume: no config.yaml in this folder (not an mmids run?)", source=str(run_dir))
    if (run_dir / "metrics.json").is_file():
        raise MmidsInputError("cannot resume: this run already finished (metrics.json exists)", source=str(run_dir))
    return load_config(run_dir / "config.yaml")


def collect_metrics(cfg: Config, system: MultimodalClassifier, data: PreparedData, trainer: L.Trainer,
                    ckpt: ModelCheckpoint, train_seconds: float) -> dict:
    names = data.class_names
    per_class = system.test_results["per_class_f1"]
    confusion = system.test_results["confusion"]
    cm = np.asarray(confusion)
    return {
        "run": None,
        "config_name": cfg.config_name,
        "model": {"encoder": cfg.model.encoder, "fusion": cfg.model.fusion, "loss": cfg.model.loss},
        "test": {
            "accuracy": float(trainer.callback_metrics["test/accuracy"]),
            "macro_f1": float(trainer.callback_metrics["test/macro_f1"]),
            "per_class_f1": dict(zip(names, per_class)),
            "support": dict(zip(names, cm.sum(axis=1).astype(int).tolist())),
            "confusion_matrix": confusion,
            "confusion_matrix_labels": names,
        },
        "best_val_macro_f1": float(ckpt.best_model_score) if ckpt.best_model_score is not None else None,
        "epochs_trained": int(trainer.current_epoch),  # completed epochs
        "train_seconds": round(train_seconds, 2),
        "parameters": count_parameters(system.model),
        "model_size_bytes": model_size_bytes(system.model),
        "reduction": data.reducer.summary(),
        "pairing": data.info["pairing"],
        "split": data.info["split"],
        "dataset": {
            "source": data.info["source"],
            "network": data.info["network"]["identity"],
            "host": data.info["host"]["identity"],
            "rows": data.info["rows"],
            "rows_per_class": data.info["rows_per_class"],
            "host_class_agreement": data.info["host_class_agreement"],
            "features": data.info["features"],
            "model_inputs": data.dims,
            "notes": data.info["notes"],
        },
        "seed": cfg.seed,
        "versions": {"mmids": mmids.__version__, "torch": torch.__version__, "lightning": L.__version__,
                     "python": platform.python_version()},
    }

