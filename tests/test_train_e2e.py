import json

import pytest
import torch
import yaml

from mmids.runs import load_run


def test_run_writes_every_artefact(tiny_run, capsys):
    for name in ("best.ckpt", "config.yaml", "preprocessing.json", "metrics.json", "confusion_matrix.png"):
        assert (tiny_run / name).is_file(), name
    cfg = yaml.safe_load((tiny_run / "config.yaml").read_text())
    assert cfg["model"]["fusion"] == "early" and cfg["data"]["rows"] == 800 and cfg["seed"] == 1
    m = json.loads((tiny_run / "metrics.json").read_text())
    t = m["test"]
    assert set(t["per_class_f1"]) == set(m["dataset"]["rows_per_class"]["test"])
    assert sum(t["support"].values()) == m["dataset"]["rows"]["test"] == sum(map(sum, t["confusion_matrix"]))
    assert 0.0 <= t["macro_f1"] <= 1.0 and 0.0 <= t["accuracy"] <= 1.0
    diag = sum(t["confusion_matrix"][i][i] for i in range(len(t["confusion_matrix"])))
    assert abs(diag / sum(map(sum, t["confusion_matrix"])) - t["accuracy"]) < 1e-6
    assert m["pairing"] == "aligned" and "synthetic stand-in" in m["dataset"]["network"]
    assert m["parameters"] > 0 and m["train_seconds"] > 0 and m["epochs_trained"] == 2


def test_tensorboard_has_curves_images_hparams_and_projector(tiny_run):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(tiny_run / "tensorboard"), size_guidance={"scalars": 0, "images": 0})
    acc.Reload()
    scalars = set(acc.Tags()["scalars"])
    for tag in ("train/loss", "val/loss", "train/accuracy", "val/macro_f1", "lr-AdamW", "test/macro_f1"):
        assert tag in scalars, (tag, scalars)
    assert any(t.startswith("test_per_class_f1/") for t in scalars)
    assert "test/confusion_matrix" in acc.Tags()["images"]
    assert len(acc.Scalars("val/macro_f1")) == 2
    assert (tiny_run / "tensorboard" / "projector_config.pbtxt").is_file()
    hparams = list((tiny_run / "tensorboard").glob("events.out.tfevents.*"))
    assert any(b"hp/test_macro_f1" in p.read_bytes() for p in hparams)


def test_reload_predicts_identically(tiny_run):
    from mmids.config import load_config
    from mmids.data.datamodule import prepare_data

    run = load_run(tiny_run)
    cfg = load_config(tiny_run / "config.yaml")
    data = prepare_data(cfg.data, seed=cfg.seed)
    test = data.splits["test"]
    probs = run.predict_tensors(test.network, test.host, test.mask)
    again = load_run(tiny_run).predict_tensors(test.network, test.host, test.mask)
    assert torch.equal(probs, again)
    m = json.loads((tiny_run / "metrics.json").read_text())
    acc = (probs.argmax(1) == test.y).float().mean().item()
    assert abs(acc - m["test"]["accuracy"]) < 1e-6  # the reloaded model is the one that was scored


def test_reload_from_raw_frames_matches_tensor_path(tiny_run):
    from mmids.config import load_config
    from mmids.data.datamodule import load_tables

    run = load_run(tiny_run)
    net, host = load_tables(load_config(tiny_run / "config.yaml").data)
    frame_probs = run.predict_proba(net.frame.iloc[:50], host.frame.iloc[:50])
    x = (run.preprocessors["network"].transform(net.frame.iloc[:50]), run.preprocessors["host"].transform(host.frame.iloc[:50]))
    assert torch.allclose(torch.from_numpy(frame_probs), run.predict_tensors(*x))
    network_only = run.predict_proba(net.frame.iloc[:50], None)
    assert network_only.shape == frame_probs.shape


def test_broken_run_folder_is_one_clear_error(tmp_path):
    from mmids.errors import MmidsInputError

    with pytest.raises(MmidsInputError, match="not a finished mmids run: config.yaml is missing"):
        load_run(tmp_path)


def test_missing_modality_sweep_shapes_and_endpoints(tiny_run):
    from mmids.robustness import sweep

    run = load_run(tiny_run)
    s = sweep(run, fractions=(0.0, 0.5, 1.0))
    m = json.loads((tiny_run / "metrics.json").read_text())
    assert s["host_missing"][0.0] == pytest.approx(m["test"]["macro_f1"], abs=1e-6)
    assert set(s["network_missing"]) == {0.0, 0.5, 1.0}
    assert 0 < s["auc_relative"]["host_missing"] <= 1.5
