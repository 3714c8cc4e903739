import json
import subprocess
import sys

import pandas as pd
import pytest
import torch

from mmids.cli.predict import main as predict_main
from mmids.errors import MmidsInputError
from mmids.export import EXPORTED, SIDECAR, TORCHSCRIPT, ChunkedScoring, deployed_module, export_run, load_artifact
from mmids.footprint import encoded_test_rows
from mmids.runs import load_run


@pytest.fixture(scope="module", params=["tiny_run", "tiny_pca_run"])
def exported(request, tmp_path_factory):
    run = load_run(request.getfixturevalue(request.param))
    out = tmp_path_factory.mktemp("deploy")
    export_run(run, out, chunk_rows=256)
    return run, out


@pytest.mark.parametrize("batch", [1, 1000])
def test_eager_torchscript_and_export_agree(exported, batch):
    run, out = exported
    args, _ = encoded_test_rows(run)
    eager = deployed_module(run)
    ts, _ = load_artifact(out, "torchscript")
    ex, _ = load_artifact(out, "export")
    n = min(300, len(args[0]))
    with torch.no_grad():
        for start in range(0, n, batch):
            chunk = tuple(a[start:start + batch] for a in args)
            ref = eager(*chunk)
            assert (ts(*chunk) - ref).abs().max() <= 1e-5
            assert (ex(*chunk) - ref).abs().max() <= 1e-5
    big = tuple(a.repeat((4,) + (1,) * (a.dim() - 1))[:1000] for a in args)
    with torch.no_grad():
        assert (ex(*big) - eager(*big)).abs().max() <= 1e-5  # dynamic batch beyond the traced size
        assert (ts(*big) - eager(*big)).abs().max() <= 1e-5  # 1000 rows: four 256-row chunks inside model.ts


def test_chunk_rows_follow_the_largest_activation(exported):
    from mmids.export import chunk_rows_for, example_inputs

    run, out = exported
    module, args = deployed_module(run), example_inputs(run)
    rows = chunk_rows_for(module, args)
    assert 64 <= rows <= 4096 and rows & (rows - 1) == 0
    # the tiny early-fusion CNN (channels [4, 8]): largest activation 4 channels x d fused inputs x 4 bytes
    d = run.system.hparams.network_dim + run.system.hparams.host_dim
    want = (4 << 20) // (16 * d)
    assert rows == min(4096, 1 << (want.bit_length() - 1))
    assert chunk_rows_for(module, args, budget=64 * 1024) < rows <= chunk_rows_for(module, args, budget=64 << 20)
    assert json.loads((out / SIDECAR).read_text())["torchscript_chunk_rows"] == 256


def test_chunked_scoring_matches_one_call_for_every_remainder(exported):
    run, _ = exported
    args, _ = encoded_test_rows(run)
    eager = deployed_module(run)
    with torch.no_grad():
        ref = eager(*args)
        for chunk in (1, 7, 64, len(ref), len(ref) + 5):
            scripted = torch.jit.freeze(torch.jit.script(ChunkedScoring(deployed_module(run), chunk).eval()))
            got = scripted(*args)
            assert got.shape == ref.shape and (got - ref).abs().max() <= 1e-5, chunk


def test_export_scores_like_the_trained_model(exported):
    run, _ = exported
    args, y = encoded_test_rows(run)
    with torch.no_grad():
        acc = (deployed_module(run)(*args).argmax(1).numpy() == y).mean()
    metrics = json.loads((run.run_dir / "metrics.json").read_text())
    assert abs(acc - metrics["test"]["accuracy"]) < 1e-6


def test_sidecar_describes_inputs(exported):
    run, out = exported
    side = json.loads((out / SIDECAR).read_text())
    assert side["class_names"] == run.class_names
    assert side["columns"]["network"]["numeric"] == run.preprocessors["network"].state.numeric
    assert "proto" in side["vocabularies"]["network"] and side["versions"]["torch"] == torch.__version__
    assert set(side["sha256"]) == {TORCHSCRIPT, EXPORTED}


def test_artifact_runs_with_only_torch(exported):
    _, out = exported
    code = (f"import sys, torch; m = torch.jit.load({str(out / TORCHSCRIPT)!r}); "
            f"e = torch.export.load({str(out / EXPORTED)!r}).module(); "
            "assert not any(k.startswith('mmids') for k in sys.modules); print('ok')")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr[-2000:]


def test_tampered_artifact_refused(exported, tmp_path):
    _, out = exported
    copy = tmp_path / "d"
    copy.mkdir()
    for name in (TORCHSCRIPT, EXPORTED, SIDECAR):
        (copy / name).write_bytes((out / name).read_bytes())
    with open(copy / TORCHSCRIPT, "ab") as fh:
        fh.write(b"x")
    with pytest.raises(MmidsInputError, match="does not match the sha256"):
        load_artifact(copy, "torchscript")


@pytest.fixture(scope="module")
def deploy_dir(tiny_run, tmp_path_factory):
    out = tmp_path_factory.mktemp("deploy_cli")
    export_run(load_run(tiny_run), out)
    return out


def test_predict_with_and_without_host(deploy_dir, standin_folder, tmp_path, capsys):
    net = standin_folder / "Train_Test_datasets/Train_Test_Network_dataset/train_test_network.csv"
    host = standin_folder / "Train_Test_datasets/Train_Test_Windows_dataset/Train_Test_Windows_10.csv"
    out = tmp_path / "pred.csv"
    assert predict_main([str(deploy_dir), "--network", str(net), "--host", str(host), "--out", str(out)]) == 0
    pred = pd.read_csv(out)
    probs = pred.filter(like="prob_")
    assert len(pred) == 2000 and probs.shape[1] == 8
    assert (probs.sum(axis=1) - 1).abs().max() < 1e-4 and pred["host_present"].all()
    majority = pred["true_type"].value_counts(normalize=True).max()
    assert (pred["predicted"] == pred["true_type"]).mean() > majority  # a 2-epoch model, but better than a constant
    out2 = tmp_path / "pred_net.csv"
    assert predict_main([str(deploy_dir), "--network", str(net), "--out", str(out2), "--format", "export"]) == 0
    assert not pd.read_csv(out2)["host_present"].any()
    assert "scored network-only" in capsys.readouterr().err


def test_predict_time_window_join(deploy_dir, standin_folder, tmp_path):
    net = next((standin_folder / "Processed_datasets/Processed_Network_dataset").glob("Network_dataset_1.csv"))
    host = standin_folder / "Processed_datasets/Processed_Windows_dataset/windows10_dataset.csv"
    out = tmp_path / "pred.csv"
    assert predict_main([str(deploy_dir), "--network", str(net), "--host", str(host), "--out", str(out),
                         "--join", "time_window", "--tolerance", "1"]) == 0
    assert pd.read_csv(out)["host_present"].mean() > 0.9


def test_predict_rejects_mismatched_rows_and_writes_nothing(deploy_dir, standin_folder, tmp_path, capsys):
    net = standin_folder / "Train_Test_datasets/Train_Test_Network_dataset/train_test_network.csv"
    host = tmp_path / "host.csv"
    pd.read_csv(standin_folder / "Train_Test_datasets/Train_Test_Windows_dataset/Train_Test_Windows_10.csv").head(10).to_csv(host, index=False)
    out = tmp_path / "pred.csv"
    assert predict_main([str(deploy_dir), "--network", str(net), "--host", str(host), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "host.csv has 10" in err and "Traceback" not in err
    assert not out.exists() and not list(tmp_path.glob(".pred.csv*"))


def test_footprint_reports_every_figure(tiny_run):
    from mmids.footprint import markdown_table, measure

    r = measure(tiny_run, threads=1, latency_repeats=20, throughput_repeats=2)
    for name in ("fp32_torchscript", "fp32_torch_export", "int8_dynamic_torchscript"):
        v = r[name]
        assert v["artifact_bytes"] > 0 and v["batch1024_rows_per_s"] > 0 and v["peak_rss_mb"] > 0
        assert 0 < v["batch1_latency"]["p50_ms"] <= v["batch1_latency"]["p99_ms"]
    assert r["int8_dynamic_torchscript"]["artifact_bytes"] < r["fp32_torchscript"]["artifact_bytes"]
    assert r["eager_matches_torchscript"]
    assert "int8_dynamic_torchscript" in markdown_table(r)
