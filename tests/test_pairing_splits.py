import numpy as np
import pytest

from mmids.config import DataConfig
from mmids.data.datamodule import prepare_data
from mmids.data.loaders import clean_frame
from mmids.data.pairing import pair_rows
from mmids.data.splits import split_rows
from mmids.errors import MmidsInputError


def _tables(synth):
    return (clean_frame(synth.network, "network", "s"), clean_frame(synth.host, "host", "s"))


def test_stratified_split_disjoint_complete_and_keeps_class_shares():
    labels = np.array(["a"] * 700 + ["b"] * 280 + ["c"] * 20)
    s = split_rows(labels, val=0.15, test=0.15, seed=0)
    allrows = np.concatenate([s.train, s.val, s.test])
    assert len(allrows) == 1000 and len(np.unique(allrows)) == 1000
    for part in (s.val, s.test):
        assert set(labels[part]) == {"a", "b", "c"}
        assert abs((labels[part] == "b").mean() - 0.28) < 0.02


def test_chronological_split_puts_latest_rows_in_test():
    labels = np.array(["a", "b"] * 50)
    ts = np.arange(100)[::-1].astype(float)
    s = split_rows(labels, method="chronological", ts=ts, seed=0)
    for cls in ("a", "b"):
        tr = ts[s.train][labels[s.train] == cls]
        te = ts[s.test][labels[s.test] == cls]
        assert tr.max() < te.min()


def test_class_conditional_pairs_share_a_class_cross_class_never(small_synthetic):
    net, host = (t.frame for t in _tables(small_synthetic))
    same = pair_rows(net, host, "class_conditional", seed=1)
    assert (host["type"].to_numpy()[same.host] == same.labels).all()
    cross = pair_rows(net, host, "cross_class", seed=1)
    assert (host["type"].to_numpy()[cross.host] != cross.labels).mean() > 0.999
    assert (net["type"].to_numpy()[cross.network] == cross.labels).all()


def test_shuffled_keeps_class_but_breaks_events(small_synthetic):
    net, host = (t.frame for t in _tables(small_synthetic))
    shuf = pair_rows(net, host, "shuffled", seed=0, base="aligned")
    assert (host["type"].to_numpy()[shuf.host] == shuf.labels).all()
    assert (shuf.host == shuf.network).mean() < 0.5


def test_time_window_respects_tolerance(small_synthetic):
    net, host = (t.frame for t in _tables(small_synthetic))
    host_late = host.assign(ts=host["ts"] + 100)
    p = pair_rows(net, host_late, "time_window", tolerance=150)
    gap = np.abs(net["ts"].to_numpy()[p.network] - host_late["ts"].to_numpy()[p.host])
    assert len(p) == len(net) and gap.max() <= 150
    assert len(pair_rows(net, host_late, "time_window", tolerance=50)) < len(net)


def test_aligned_refuses_misaligned_tables(small_synthetic):
    net, host = (t.frame for t in _tables(small_synthetic))
    with pytest.raises(MmidsInputError, match="aligned"):
        pair_rows(net, host.iloc[:-1], "aligned")
    with pytest.raises(MmidsInputError, match="time_window"):
        pair_rows(net, host.assign(ts=host["ts"] + 1), "aligned")


@pytest.mark.parametrize("pairing", ["aligned", "class_conditional", "cross_class", "shuffled", "time_window"])
def test_no_source_row_reaches_two_splits(small_synthetic, pairing):
    p = prepare_data(DataConfig(pairing=pairing, rows=2000), seed=0, tables=_tables(small_synthetic))
    for modality in ("network", "host"):
        used = {k: set(p.source_rows[k][modality].tolist()) for k in ("train", "val", "test")}
        assert not used["train"] & used["val"] and not used["train"] & used["test"] and not used["val"] & used["test"]


def test_one_modality_classes_dropped_with_warning(small_synthetic):
    net, host = _tables(small_synthetic)
    host.frame = host.frame[host.frame["type"] != "scanning"].reset_index(drop=True)
    with pytest.warns(UserWarning, match=r"scanning \(network only\)"):
        p = prepare_data(DataConfig(pairing="class_conditional"), tables=(net, host))
    assert "scanning" not in p.class_names and len(p.class_names) == 7


def test_pipeline_deterministic_for_a_seed(small_synthetic):
    a = prepare_data(DataConfig(pairing="class_conditional"), seed=5, tables=_tables(small_synthetic))
    b = prepare_data(DataConfig(pairing="class_conditional"), seed=5, tables=_tables(small_synthetic))
    c = prepare_data(DataConfig(pairing="class_conditional"), seed=6, tables=_tables(small_synthetic))
    for k in ("train", "test"):
        assert a.splits[k].host.equal(b.splits[k].host) and a.splits[k].y.equal(b.splits[k].y)
    assert not a.splits["train"].host.equal(c.splits["train"].host)


def test_chronological_needs_ts_and_train_test_files_have_none(standin_folder):
    cfg = DataConfig(source="train_test", root=str(standin_folder), pairing="class_conditional", split="chronological")
    with pytest.raises(MmidsInputError, match="needs a 'ts' column"):
        prepare_data(cfg)


def test_files_on_disk_run_the_same_pipeline(standin_folder):
    cfg = DataConfig(source="processed", root=str(standin_folder), pairing="time_window", split="chronological")
    p = prepare_data(cfg)
    assert p.info["host"]["schema"] == "processed_windows10" and p.info["pairing"] == "time_window"
    assert p.info["host_class_agreement"]["test"] > 0.9
    assert sum(p.info["rows"].values()) > 1900


def test_reused_host_rows_are_stored_once_and_batches_gather_them(small_synthetic):
    """2,000 flows paired with 400 host snapshots: the host side holds 400 rows (shared by the
    splits) plus an index, and batches and ``.host`` equal encoding every pair's host row."""
    import torch

    from mmids.data.datamodule import MultimodalDataModule

    net, host = _tables(small_synthetic)
    keep = np.zeros(len(host.frame), bool)
    for _, rows in host.frame.groupby("type").indices.items():  # 50 snapshots per class at most
        keep[rows[:50]] = True
    host.frame = host.frame.loc[keep].reset_index(drop=True)
    host.duplicate_mask = None
    cfg = DataConfig(pairing="class_conditional", batch_size=64)
    p = prepare_data(cfg, seed=2, tables=(net, host))
    train = p.splits["train"]
    assert train.host_index is not None and len(train._host) < len(train) / 2
    assert train._host is p.splits["test"]._host
    assert train.host.shape == (len(train), p.dims["host"])
    # reference: the preprocessor applied to each pair's own host row, straight from the table
    frame = host.frame[host.frame["type"].isin(p.class_names)].reset_index(drop=True)
    expected = p.preprocessors["host"].transform(frame, rows=p.source_rows["train"]["host"])
    assert torch.equal(train.host, expected)
    batch = next(iter(MultimodalDataModule(cfg, seed=2, prepared=p).train_dataloader()))
    assert batch[1].shape == (64, p.dims["host"])
    idx = torch.arange(5)
    assert torch.equal(train[idx][1], expected[:5])
    pca = prepare_data(DataConfig(pairing="class_conditional", reduce="pca", reduce_on="per_modality", n_components=8),
                       seed=2, tables=(net, host))
    for ds in pca.splits.values():  # projected per pair: the reduced host side is a plain [N, k] matrix
        assert ds.host_index is None and ds.host.shape == (len(ds), pca.dims["host"])
