"""Multi-process training: batch sharding by rank, and a real 2-process DDP run on CPU (gloo)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from mmids.data.datamodule import EpochBatchSampler

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("n,batch,world", [(1000, 128, 2), (1001, 128, 2), (257, 64, 3), (10, 4, 2), (2049, 1024, 2)])
@pytest.mark.parametrize("shuffle", [True, False])
def test_ranks_split_one_order_into_equal_batch_counts(n, batch, world, shuffle):
    single = torch.cat(list(EpochBatchSampler(n, batch, seed=5, shuffle=shuffle)))
    shards = [list(EpochBatchSampler(n, batch, seed=5, shuffle=shuffle, rank=r, world=world)) for r in range(world)]
    counts = {len(s) for s in shards}
    assert len(counts) == 1, f"processes would step out of lockstep: {counts} batches"
    assert counts == {len(EpochBatchSampler(n, batch, seed=5, rank=0, world=world))}
    assert all(len(b) <= batch for s in shards for b in s)
    rows = torch.cat([torch.cat(s) for s in shards])
    assert len(rows) == n and sorted(rows.tolist()) == sorted(single.tolist()), "a row is lost or repeated"
    for r, s in enumerate(shards):  # each process reads its stride of the single-process order
        assert torch.equal(torch.cat(s), single[r::world])


def test_weighted_sampling_shards_the_same_draw():
    w = torch.tensor([1.0, 1.0, 8.0, 1.0] * 50, dtype=torch.float64)
    single = torch.cat(list(EpochBatchSampler(200, 32, seed=2, weights=w)))
    shards = [torch.cat(list(EpochBatchSampler(200, 32, seed=2, weights=w, rank=r, world=2))) for r in range(2)]
    assert torch.equal(shards[0], single[0::2]) and torch.equal(shards[1], single[1::2])


def test_rank_outside_world_is_rejected():
    with pytest.raises(ValueError, match="rank 2 outside a world of 2"):
        EpochBatchSampler(10, 2, seed=0, rank=2, world=2)


def _train(out: Path, name: str, *extra: str) -> dict:
    # A subprocess: Lightning's DDP launcher re-runs the calling command for each extra process
    cmd = [sys.executable, str(REPO / "scripts" / "train.py"), "--config", "fused_cnn.yaml", "--seed", "1",
           "--output_dir", str(out), "--run_name", name, "--data.rows", "3000", "--trainer.max_epochs", "3",
           "--trainer.enable_progress_bar", "false", *extra]
    env = {k: v for k, v in os.environ.items() if k not in ("LOCAL_RANK", "NODE_RANK", "RANK", "SLURM_PROCID",
                                                            "WORLD_SIZE", "MMIDS_RUN_DIR")}
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("test report:") == 1, "only rank 0 reports"
    return json.loads((out / name / "metrics.json").read_text())


def test_two_process_ddp_matches_one_process(tmp_path):
    """Same global batch (2 x 32 vs 64) and epochs: the DDP model is as good as the single-process one,
    and the gathered test metrics count every test row exactly once."""
    one = _train(tmp_path, "one", "--data.batch_size", "64")
    ddp = _train(tmp_path, "ddp", "--data.batch_size", "32", "--trainer.strategy", "ddp", "--trainer.devices", "2")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ddp", "one"], "a worker made its own run folder"
    assert ddp["test"]["support"] == one["test"]["support"]
    assert one["test"]["accuracy"] > 0.95 and ddp["test"]["accuracy"] > 0.95
    assert abs(ddp["test"]["accuracy"] - one["test"]["accuracy"]) < 0.02
    assert (tmp_path / "ddp" / "best.ckpt").is_file() and not (tmp_path / "ddp" / "last.ckpt").exists()


def test_a_worker_without_a_shared_run_name_gets_one_clear_error(monkeypatch, tmp_path):
    from mmids.config import load_config
    from mmids.errors import MmidsInputError
    from mmids.training import _launched_worker, _worker_run_dir

    monkeypatch.delenv("MMIDS_RUN_DIR", raising=False)
    for var in ("LOCAL_RANK", "NODE_RANK", "RANK", "SLURM_PROCID"):
        monkeypatch.delenv(var, raising=False)
    assert not _launched_worker()
    monkeypatch.setenv("RANK", "3")  # e.g. the fourth process torchrun started
    assert _launched_worker()
    cfg = load_config("fused_cnn.yaml", ["--output_dir", str(tmp_path)])
    with pytest.raises(MmidsInputError, match="same --run_name and a shared --output_dir"):
        _worker_run_dir(cfg)
    named = load_config("fused_cnn.yaml", ["--output_dir", str(tmp_path), "--run_name", "shared"])
    assert _worker_run_dir(named) == tmp_path / "shared"
