import numpy as np
import pandas as pd

from mmids.data.schema import get_schema
from mmids.data.synthetic import CLASSES, generate


def test_schema_exact_and_events_co_occur(small_synthetic):
    d = small_synthetic
    assert list(d.network.columns) == list(get_schema("processed_network").columns)
    assert list(d.host.columns) == list(get_schema("processed_windows10").columns)
    assert list(d.train_test_network.columns) == list(get_schema("train_test_network").columns)
    assert list(d.train_test_host.columns) == list(get_schema("train_test_windows10").columns)
    assert (d.network["ts"].to_numpy() == d.host["ts"].to_numpy()).all()
    assert (d.network["type"].to_numpy() == d.host["type"].to_numpy()).all()


def test_class_mix_and_rare_mitm(small_synthetic):
    counts = small_synthetic.network["type"].value_counts()
    assert set(counts.index) == set(CLASSES)
    assert counts.idxmax() == "normal" and counts.idxmin() == "mitm"
    assert counts["mitm"] / counts.sum() < 0.01


def test_dirt_is_present(small_synthetic):
    net, host = small_synthetic.network, small_synthetic.host
    assert (net["service"] == "-").any() and (net["dns_query"] == "-").any()
    assert net["http_trans_depth"].map(type).eq(str).all()  # a string column, as in the real file
    assert net.duplicated().sum() > 0
    assert (host == " ").any().sum() == 69  # 69 numeric host columns hold blank strings
    for col in get_schema("train_test_windows10").constant:
        assert host[col].nunique() == 1
    big = generate(20_000, seed=0).network["src_bytes"]
    assert big.max() > 1e3 * big.median()  # heavy tail


def test_deterministic_for_a_seed_and_seed_matters():
    a, b, c = generate(500, seed=1), generate(500, seed=1), generate(500, seed=2)
    pd.testing.assert_frame_equal(a.network, b.network)
    pd.testing.assert_frame_equal(a.host, b.host)
    assert not a.network.equals(c.network)


def test_attacks_sit_in_narrow_windows(small_synthetic):
    net = small_synthetic.network
    span = net.groupby("type")["ts"].agg(lambda s: s.max() - s.min())
    assert span["normal"] > 20 * 86400
    assert (span.drop("normal") <= 86400 / 2).all()


def test_rows_option():
    assert len(generate(333, seed=0).network) == 333
    assert np.isclose(len(generate(1000, seed=0).network), 1000)
