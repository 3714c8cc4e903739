import json
import signal
import subprocess
import sys
import time

import pytest

from mmids.cli.train import main as train_main

from .conftest import TINY

ARGS = ["--config", "fused_cnn.yaml", "--seed", "4", *TINY, "--trainer.max_epochs", "4", "--trainer.patience", "10",
        "--model.host_dropout", "0.3", "--model.scheduler", "none"]


def _metrics(run_dir):
    m = json.loads((run_dir / "metrics.json").read_text())
    for volatile in ("run", "train_seconds"):
        m.pop(volatile)
    return m


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("ref")
    assert train_main([*ARGS, "--output_dir", str(out), "--run_name", "a"]) == 0
    return out / "a"


def test_same_seed_same_metrics(reference, tmp_path):
    assert train_main([*ARGS, "--output_dir", str(tmp_path), "--run_name", "b"]) == 0
    assert _metrics(tmp_path / "b") == _metrics(reference)


def test_killed_run_resumes_to_the_same_metrics(reference, tmp_path):
    cmd = [sys.executable, "-c", "import sys; from mmids.cli.train import main; sys.exit(main(sys.argv[1:]))",
           *ARGS, "--output_dir", str(tmp_path), "--run_name", "k"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    run_dir = tmp_path / "k"
    deadline = time.time() + 120
    while not (run_dir / "last.ckpt").exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)  # mid-training: after the first epoch's checkpoint, before the end
    proc.wait()
    assert (run_dir / "last.ckpt").exists() and not (run_dir / "metrics.json").exists()
    assert not list(run_dir.glob(".*.tmp*"))  # no torn checkpoint left behind
    assert train_main(["--resume", str(run_dir)]) == 0
    assert _metrics(run_dir) == _metrics(reference)


def test_resume_refuses_finished_or_foreign_folders(reference, tmp_path, capsys):
    assert train_main(["--resume", str(reference)]) == 2
    assert "already finished" in capsys.readouterr().err
    assert train_main(["--resume", str(tmp_path)]) == 2
    assert "no config.yaml" in capsys.readouterr().err
