"""Deployment footprint of a run: size, latency, throughput, memory, and an INT8 variant's accuracy.

Everything is measured on this machine's CPU in one process (peak memory in a fresh child process
that imports only torch and scores batches with the TorchScript artefact).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import f1_score
from torch import nn

from mmids.data.datamodule import load_tables, prepare_data
from mmids.export import EXPORTED, TORCHSCRIPT, ChunkedScoring, deployed_module, export_run
from mmids.runs import LoadedRun, load_run

PEAK_MEMORY_CHILD = """
import resource, sys, torch
torch.set_num_threads(int(sys.argv[2]))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
m = torch.jit.load(sys.argv[1])
args = [torch.load(p, weights_only=True) for p in sys.argv[3:]]
with torch.no_grad():
    for _ in range(20):
        m(*args)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def encoded_test_rows(run: LoadedRun) -> tuple[tuple[torch.Tensor, ...], np.ndarray]:
    """Raw encoded test rows of the run's own split (as the artefact receives them) and their labels."""
    data = prepare_data(run.config.data, seed=run.config.seed)
    net, host = load_tables(run.config.data)
    rows = data.source_rows["test"]
    n_num, n_codes = run.preprocessors["network"].encode(net.frame.iloc[rows["network"]])
    h_num, h_codes = run.preprocessors["host"].encode(host.frame.iloc[rows["host"]])
    mask = np.ones((len(n_num), 2), np.float32)
    args = tuple(torch.from_numpy(a) for a in (n_num, n_codes, h_num, h_codes, mask))
    return args, data.splits["test"].y.numpy()


def repeat_rows(args: tuple[torch.Tensor, ...], n: int) -> tuple[torch.Tensor, ...]:
    """The first ``n`` rows of ``args`` tiled as often as needed."""
    reps = int(np.ceil(n / len(args[0])))
    return tuple(a.repeat((reps,) + (1,) * (a.dim() - 1))[:n] for a in args)


@torch.no_grad()
def latency_ms(module: nn.Module, args: tuple[torch.Tensor, ...], repeats: int = 1000) -> dict:
    one = repeat_rows(args, 1)
    for _ in range(50):
        module(*one)
    times = np.empty(repeats)
    for i in range(repeats):
        start = time.perf_counter()
        module(*one)
        times[i] = time.perf_counter() - start
    return {"p50_ms": float(np.percentile(times, 50) * 1e3), "p99_ms": float(np.percentile(times, 99) * 1e3)}


@torch.no_grad()
def throughput(module: nn.Module, args: tuple[torch.Tensor, ...], batch: int = 1024, repeats: int = 30) -> float:
    b = repeat_rows(args, batch)
    for _ in range(10):  # TorchScript's profiling executor optimises over the first calls
        module(*b)
    return rows_per_s(lambda: module(*b), batch, repeats)


def rows_per_s(call, rows: int, repeats: int, windows: int = 3) -> float:
    """``rows`` per call x calls per second, from the best of ``windows`` windows of ``repeats``
    calls: other load on a small machine only ever slows a window."""
    best = float("inf")
    for _ in range(windows):
        start = time.perf_counter()
        for _ in range(repeats):
            call()
        best = min(best, time.perf_counter() - start)
    return rows * repeats / best


@torch.no_grad()
def quality(module: nn.Module, args: tuple[torch.Tensor, ...], y: np.ndarray) -> dict:
    pred = module(*args).argmax(1).numpy()
    return {"accuracy": float((pred == y).mean()), "macro_f1": float(f1_score(y, pred, average="macro"))}


def peak_memory_mb(ts_path: Path, args: tuple[torch.Tensor, ...], threads: int) -> dict:
    """Peak RSS of a child that imports torch, loads the artefact and scores batches of 1024;
    ``torch_import_mb`` is the same child's peak right after ``import torch``."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, a in enumerate(repeat_rows(args, 1024)):
            p = Path(tmp) / f"a{i}.pt"
            torch.save(a.clone(), p)
            paths.append(str(p))
        out = subprocess.run([sys.executable, "-c", PEAK_MEMORY_CHILD, str(ts_path), str(threads), *paths],
                             capture_output=True, text=True, check=True)
    before, after = (int(v) / 1024 for v in out.stdout.split()[-2:])
    return {"peak_rss_mb": after, "torch_import_mb": before, "model_mb": after - before}


def measure(run_dir: str | Path, threads: int | None = None, latency_repeats: int = 1000,
            throughput_repeats: int = 30) -> dict:
    """Footprint of the fp32 artefact and of its INT8 dynamically-quantised variant."""
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", message=".*archive file to be a file ending in .pt2.*")
    if threads:
        torch.set_num_threads(threads)
    run = load_run(run_dir)
    args, y = encoded_test_rows(run)
    eager = deployed_module(run)
    int8 = torch.ao.quantization.quantize_dynamic(deployed_module(run), {nn.Linear}, dtype=torch.qint8)
    result = {"run": str(run_dir), "threads": torch.get_num_threads(), "test_rows": len(y),
              "parameters": sum(p.numel() for p in run.system.model.parameters())}
    with tempfile.TemporaryDirectory() as tmp:
        chunk = export_run(run, tmp)["torchscript_chunk_rows"]
        ts = torch.jit.load(str(Path(tmp) / TORCHSCRIPT))
        int8_path = Path(tmp) / "model.int8.ts"
        torch.jit.save(torch.jit.freeze(torch.jit.script(ChunkedScoring(int8, chunk).eval())), str(int8_path))  # as model.ts
        int8_ts = torch.jit.load(str(int8_path))
        exported = torch.export.load(str(Path(tmp) / EXPORTED)).module()
        variants = {"fp32_torchscript": (ts, Path(tmp) / TORCHSCRIPT, Path(tmp) / TORCHSCRIPT),
                    "fp32_torch_export": (exported, Path(tmp) / EXPORTED, Path(tmp) / TORCHSCRIPT),
                    "int8_dynamic_torchscript": (int8_ts, int8_path, int8_path)}
        for name, (module, path, ts_path) in variants.items():
            result[name] = {
                "artifact_bytes": path.stat().st_size,
                "batch1_latency": latency_ms(module, args, latency_repeats),
                "batch1024_rows_per_s": throughput(module, args, repeats=throughput_repeats),
                **peak_memory_mb(ts_path, args, torch.get_num_threads()),
                **quality(module, args, y),
            }
    result["eager_matches_torchscript"] = bool(torch.allclose(eager(*args), ts(*args), atol=1e-5))
    fp32, int8 = result["fp32_torchscript"], result["int8_dynamic_torchscript"]
    result["int8_accuracy_change"] = int8["accuracy"] - fp32["accuracy"]
    result["int8_macro_f1_change"] = int8["macro_f1"] - fp32["macro_f1"]
    return result


def markdown_table(r: dict) -> str:
    rows = ["| variant | artefact size | batch-1 p50 / p99 | batch-1024 throughput | peak RSS (torch alone) | "
            "test accuracy | test macro-F1 |", "|---|---|---|---|---|---|---|"]
    for name in ("fp32_torchscript", "fp32_torch_export", "int8_dynamic_torchscript"):
        v = r[name]
        rows.append(f"| {name} | {v['artifact_bytes'] / 1024:.0f} KiB | {v['batch1_latency']['p50_ms']:.3f} / "
                    f"{v['batch1_latency']['p99_ms']:.3f} ms | {v['batch1024_rows_per_s']:,.0f} rows/s | "
                    f"{v['peak_rss_mb']:.0f} MB ({v['torch_import_mb']:.0f} MB) | {v['accuracy']:.4f} | {v['macro_f1']:.4f} |")
    rows.append(f"\nparameters {r['parameters']:,}; torch threads {r['threads']}; INT8 accuracy change "
                f"{r['int8_accuracy_change']:+.4f}, macro-F1 change {r['int8_macro_f1_change']:+.4f} "
                f"({r['test_rows']} test rows)")
    return "\n".join(rows)


def write(result: dict, out: Path) -> None:
    from mmids.data.files import atomic_write_text

    atomic_write_text(out, json.dumps(result, indent=2))
