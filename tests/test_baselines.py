import json

import numpy as np
import pandas as pd
import pytest

from mmids.baselines.clustering import CLUSTERING, cluster_scores, run_clustering, stratified_subsample
from mmids.baselines.runner import results_table, run_baselines
from mmids.baselines.supervised import SUPERVISED, SupervisedBaseline, load_baseline
from mmids.baselines.views import view_matrix
from mmids.config import load_config
from mmids.data.datamodule import prepare_data
from mmids.errors import MmidsInputError


@pytest.fixture(scope="module")
def tiny_data(small_synthetic):
    from mmids.data.loaders import clean_frame

    tables = (clean_frame(small_synthetic.network, "network", "s"), clean_frame(small_synthetic.host, "host", "s"))
    return prepare_data(load_config("trees.yaml").data, seed=0, tables=tables)


def test_views_share_rows_and_widths(tiny_data):
    xn, yn = view_matrix(tiny_data, "train", "network")
    xh, yh = view_matrix(tiny_data, "train", "host")
    xf, yf = view_matrix(tiny_data, "train", "fused")
    assert (yn == yh).all() and (yn == yf).all()
    assert xf.shape[1] == xn.shape[1] + xh.shape[1]


@pytest.mark.parametrize("name", list(SUPERVISED))
def test_every_supervised_model_fits_predicts_and_beats_chance(name, tiny_data):
    pytest.importorskip("xgboost") if name == "xgboost" else None
    x, y = view_matrix(tiny_data, "train", "fused")
    xt, yt = view_matrix(tiny_data, "test", "fused")
    model = SupervisedBaseline(name, seed=0, n_jobs=1)
    if name == "hist_gradient_boosting":
        model.estimator.set_params(max_iter=10)  # same code path, a fraction of the time
    model.fit(x, y)
    proba = model.predict_proba(xt)
    assert proba.shape[0] == len(yt) and np.allclose(proba.sum(1), 1, atol=1e-6)
    m = model.evaluate(xt, yt, tiny_data.class_names)
    assert m["test"]["accuracy"] > 0.5  # 8 classes, majority share ~0.42
    assert m["fit_seconds"] > 0 and m["model_size_bytes"] > 0 and m["imbalance"]


def test_imbalance_handling_is_stated():
    assert SupervisedBaseline("random_forest").imbalance == "balanced class_weight"
    assert SupervisedBaseline("knn").imbalance.startswith("none")
    assert SupervisedBaseline("random_forest", class_weight="none").estimator.class_weight is None


def test_save_reload_predicts_identically_and_tamper_is_refused(tiny_data, tmp_path):
    x, y = view_matrix(tiny_data, "train", "fused")
    model = SupervisedBaseline("random_forest", seed=0, n_jobs=1).fit(x, y)
    sha = model.save(tmp_path / "m.joblib")
    again = load_baseline(tmp_path / "m.joblib", sha256=sha)
    assert np.array_equal(again.predict_proba(x), model.predict_proba(x))
    with open(tmp_path / "m.joblib", "ab") as fh:
        fh.write(b"0")
    with pytest.raises(MmidsInputError, match="does not match the sha256"):
        load_baseline(tmp_path / "m.joblib", sha256=sha)


def test_cluster_scores_known_answers():
    y = np.repeat([0, 1, 2], 50)
    assert cluster_scores(y, (y + 1) % 3) == {"ari": 1.0, "nmi": 1.0, "homogeneity": 1.0}  # names don't matter
    rng = np.random.default_rng(0)
    assert abs(cluster_scores(y, rng.integers(0, 3, len(y)))["ari"]) < 0.05


@pytest.mark.parametrize("name", [c for c in CLUSTERING if c != "dbscan"])
def test_clustering_recovers_separated_blobs(name):
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], 60)
    x = rng.normal(scale=0.3, size=(180, 4)) + np.eye(4)[y] * 10
    r = run_clustering(name, x, y, n_clusters=3, seed=0)
    assert r["ari"] > 0.95 and r["n_clusters_found"] == 3


def test_dbscan_and_subsample_cap():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 300)
    x = rng.normal(scale=0.2, size=(600, 2)) + np.array([[0, 0], [10, 10]])[y]
    r = run_clustering("dbscan", x, y, n_clusters=2, eps=1.0, max_rows=100)
    assert r["subsampled"] and r["rows"] == 100 and r["ari"] > 0.95
    idx = stratified_subsample(np.array([0] * 900 + [1] * 100), 100, 0)
    assert len(idx) == 100 and (idx >= 900).sum() == 10


def test_runner_writes_comparable_artefacts(small_synthetic, tiny_data, tmp_path):
    cfg = load_config("trees.yaml", ["--baselines.models", "[random_forest, gaussian_nb]",
                                     "--baselines.clustering", "[agglomerative]", "--output_dir", str(tmp_path),
                                     "--run_name", "b", "--baselines.n_jobs", "1"])
    run_dir, results = run_baselines(cfg, data=tiny_data, progress=False)
    assert len(results) == 9 and (run_dir / "results.csv").is_file()
    saved = pd.read_csv(run_dir / "results.csv")
    m = json.loads((run_dir / "random_forest-fused" / "metrics.json").read_text())
    assert m["pairing"] == "aligned" and m["view"] == "fused"
    assert set(m["test"]) >= {"accuracy", "macro_f1", "per_class_f1", "confusion_matrix"}
    row = saved[(saved.model == "random_forest") & (saved.view == "fused")].iloc[0]
    assert row.macro_f1 == pytest.approx(m["test"]["macro_f1"])
    model = load_baseline(run_dir / "random_forest-fused" / "model.joblib", sha256=m["sha256"])
    x, y = view_matrix(tiny_data, "test", "fused")
    assert (model.predict(x) == y).mean() == pytest.approx(m["test"]["accuracy"])
    assert "agglomerative" in results_table(results)


def test_fused_reduction_allows_only_the_fused_view():
    cfg = load_config("trees.yaml", ["--data.reduce", "pca"])
    with pytest.raises(MmidsInputError, match="baselines.views"):
        run_baselines(cfg)
