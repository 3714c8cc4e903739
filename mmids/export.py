"""Deployable artefacts: preprocessing + reduction + model in one module, scripted and exported.

``DeployedModel.forward(network_numeric [B, Nn] float32 (NaN = missing), network_codes [B, Cn] int64,
host_numeric [B, Nh] float32, host_codes [B, Ch] int64, mask [B, 2] float32) -> probabilities [B, C]``

Written to ``OUT/``: ``model.ts`` (``torch.jit.script``), ``model.pt2`` (``torch.export`` with a
dynamic batch dimension) and ``model.json``, the sidecar with column order per modality, category
vocabularies, class names, versions and the sha256 of each artefact. Loading needs only torch:
``torch.jit.load("model.ts")`` or ``torch.export.load("model.pt2").module()``.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from torch import nn

import mmids
from mmids.data.files import atomic_save, atomic_write_text, sha256_file
from mmids.errors import MmidsInputError
from mmids.runs import LoadedRun

SIDECAR, TORCHSCRIPT, EXPORTED = "model.json", "model.ts", "model.pt2"
FORMAT_VERSION = 1


class DeployedModel(nn.Module):
    """Raw encoded features of both modalities + mask -> class probabilities (see module docstring)."""

    def __init__(self, network_transform: nn.Module, host_transform: nn.Module, projection: nn.Module, model: nn.Module):
        super().__init__()
        self.network_transform, self.host_transform = network_transform, host_transform
        self.projection, self.model = projection, model

    def forward(self, network_numeric: torch.Tensor, network_codes: torch.Tensor, host_numeric: torch.Tensor,
                host_codes: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        network = self.network_transform(network_numeric, network_codes)
        host = self.host_transform(host_numeric, host_codes)
        network, host = self.projection(network, host, mask)
        return torch.softmax(self.model(network, host, mask), dim=1)


CHUNK_BYTES = 4 << 20  # activation budget per chunk: the sweep in docs/performance.md peaks around here


class ChunkedScoring(nn.Module):
    """``DeployedModel`` applied ``chunk_rows`` rows at a time, same inputs and outputs. A 1D-CNN's
    activations for a few hundred rows stay in the CPU caches; one 20k-row call does not and runs at
    a fifth to a sixth of the rows/s (``docs/performance.md``)."""

    def __init__(self, model: DeployedModel, chunk_rows: int = 256):
        super().__init__()
        self.model, self.chunk_rows = model, chunk_rows

    def forward(self, network_numeric: torch.Tensor, network_codes: torch.Tensor, host_numeric: torch.Tensor,
                host_codes: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        n = mask.shape[0]
        if n <= self.chunk_rows:
            return self.model(network_numeric, network_codes, host_numeric, host_codes, mask)
        parts: list[torch.Tensor] = []
        for start in range(0, n, self.chunk_rows):
            end = start + self.chunk_rows
            parts.append(self.model(network_numeric[start:end], network_codes[start:end], host_numeric[start:end],
                                    host_codes[start:end], mask[start:end]))
        return torch.cat(parts)


def deployed_module(run: LoadedRun) -> DeployedModel:
    """The eager deployable module of a reloaded run (eval mode)."""
    return DeployedModel(run.preprocessors["network"].transform_module(), run.preprocessors["host"].transform_module(),
                         run.reducer.module(), run.system.model).eval()


def chunk_rows_for(module: nn.Module, args: tuple[torch.Tensor, ...], budget: int = CHUNK_BYTES) -> int:
    """Rows per chunk so that the largest activation of one chunk is about ``budget`` bytes: a power of
    two in [64, 4096], from the output sizes of every submodule on a one-row input."""
    largest = 0

    def record(_module, _inputs, output) -> None:
        nonlocal largest
        if isinstance(output, torch.Tensor):
            largest = max(largest, output.numel() * output.element_size())

    handles = [m.register_forward_hook(record) for m in module.modules()]
    try:
        with torch.no_grad():
            module(*(a[:1] for a in args))
    finally:
        for h in handles:
            h.remove()
    rows = max(1, budget // max(largest, 1))
    return int(min(4096, max(64, 1 << (rows.bit_length() - 1))))


def example_inputs(run: LoadedRun, batch: int = 4) -> tuple[torch.Tensor, ...]:
    s_net, s_host = run.preprocessors["network"].state, run.preprocessors["host"].state
    return (torch.zeros(batch, len(s_net.numeric)), torch.zeros(batch, len(s_net.categorical), dtype=torch.int64),
            torch.zeros(batch, len(s_host.numeric)), torch.zeros(batch, len(s_host.categorical), dtype=torch.int64),
            torch.ones(batch, 2))


def export_run(run: LoadedRun, out: str | Path, chunk_rows: int | None = None) -> dict:
    """Write TorchScript, torch.export and the JSON sidecar to ``out``; returns the sidecar.

    ``model.ts`` is frozen (batch norm folded into the convolutions) and scores large batches
    ``chunk_rows`` at a time (default: ``chunk_rows_for`` the model); ``model.pt2`` holds the plain
    graph (callers chunk themselves)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    module = deployed_module(run)
    args = example_inputs(run)
    chunk_rows = chunk_rows or chunk_rows_for(module, args)
    scripted = torch.jit.freeze(torch.jit.script(ChunkedScoring(module, chunk_rows).eval()))
    atomic_save(out / TORCHSCRIPT, lambda p: torch.jit.save(scripted, p))
    batch = torch.export.Dim("batch", min=1, max=1 << 20)
    dynamic = tuple({0: batch} for _ in args)
    program = torch.export.export(module, args, dynamic_shapes=dynamic, strict=False)
    atomic_save(out / EXPORTED, lambda p: torch.export.save(program, p))
    pre = {m: run.preprocessors[m].state for m in ("network", "host")}
    sidecar = {
        "format_version": FORMAT_VERSION,
        "inputs": ["network_numeric", "network_codes", "host_numeric", "host_codes", "mask"],
        "output": "probabilities [batch, classes], columns in class_names order",
        "class_names": run.class_names,
        "columns": {m: {"numeric": s.numeric, "categorical": s.categorical} for m, s in pre.items()},
        "vocabularies": {m: s.vocabularies for m, s in pre.items()},
        "category_codes": {"missing": 0, "unseen": 1, "vocabulary": "2 + index in vocabularies"},
        "mask": "column 0 = network present, column 1 = host present (1.0 / 0.0)",
        "reduction": run.reducer.summary(),
        "torchscript_chunk_rows": chunk_rows,
        "model": {"encoder": run.config.model.encoder, "fusion": run.config.model.fusion},
        "pairing": run.config.data.pairing,
        "run": str(run.run_dir),
        "versions": {"mmids": mmids.__version__, "torch": torch.__version__},
        "sha256": {TORCHSCRIPT: sha256_file(out / TORCHSCRIPT), EXPORTED: sha256_file(out / EXPORTED)},
    }
    atomic_write_text(out / SIDECAR, json.dumps(sidecar, indent=1))
    return sidecar


def read_sidecar(artifact: str | Path) -> tuple[dict, Path]:
    """The sidecar of an artefact folder, ``model.ts``, ``model.pt2`` or ``model.json`` path."""
    p = Path(artifact)
    folder = p if p.is_dir() else p.parent
    path = folder / SIDECAR
    if not path.is_file():
        raise MmidsInputError(f"no {SIDECAR} sidecar next to the artefact (export with scripts/export.py)", source=str(p))
    try:
        sidecar = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        sidecar = None
    if not isinstance(sidecar, dict) or not {"sha256", "class_names", "columns"} <= set(sidecar):
        raise MmidsInputError("sidecar is not a valid mmids artefact description", source=str(path))
    return sidecar, folder


def load_artifact(artifact: str | Path, kind: str = "torchscript", verify: bool = True) -> tuple[torch.nn.Module, dict]:
    """Load an exported model (``torchscript`` or ``export``) after checking its sha256 against the sidecar."""
    sidecar, folder = read_sidecar(artifact)
    p = Path(artifact)
    if p.is_file() and p.name in (TORCHSCRIPT, EXPORTED):
        kind = "torchscript" if p.name == TORCHSCRIPT else "export"
    name = TORCHSCRIPT if kind == "torchscript" else EXPORTED
    path = folder / name
    if not path.is_file():
        raise MmidsInputError(f"{name} is missing", source=str(folder))
    if verify and sha256_file(path) != sidecar["sha256"].get(name):
        raise MmidsInputError(f"{name} does not match the sha256 in {SIDECAR}: refusing a modified or "
                              "mismatched artefact", source=str(path))
    try:
        module = torch.jit.load(str(path)) if kind == "torchscript" else torch.export.load(str(path)).module()
    except Exception as exc:
        raise MmidsInputError(f"cannot load {name} ({exc.__class__.__name__})", source=str(path)) from None
    return module, sidecar
