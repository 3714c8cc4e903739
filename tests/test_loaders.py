import numpy as np
import pandas as pd
import pytest

from mmids.data.loaders import clean_frame, count_duplicates, load_host, load_network
from mmids.data.schema import get_schema
from mmids.errors import MmidsInputError

from .conftest import DATA


def test_real_train_test_network_rows_load_clean():
    t = load_network(DATA / "train_test_network.real_rows.csv")
    f = t.frame
    assert t.schema.name == "train_test_network" and len(f) == 2
    assert f["service"].isna().all()  # '-' -> missing
    assert f["conn_state"].tolist() == ["OTH", "REJ"]
    assert f["src_bytes"].tolist() == [101568.0, 0.0]
    assert f["http_trans_depth"].isna().all() and f["http_trans_depth"].dtype == np.float64
    assert f["label"].tolist() == [1, 1] and f["type"].tolist() == ["backdoor", "backdoor"]
    assert "2 rows" in t.identity and t.sha256 and len(t.sha256) == 64


def test_real_processed_network_rows_have_ts():
    t = load_network(DATA / "processed_network_dataset_23.real_rows.csv")
    assert t.schema.name == "processed_network" and t.schema.has_ts
    assert t.frame["ts"].tolist()[:2] == [1556485532, 1556485532]


def test_partial_windows10_sample_lists_the_106_missing_columns():
    with pytest.raises(MmidsInputError) as err:
        load_host(DATA / "train_test_windows10.real_rows_partial.csv")
    msg = str(err.value)
    assert "missing 106 required column(s)" in msg and "train_test_windows10" in msg
    assert "real_rows_partial.csv" in msg
    assert "'Memory Committed Bytes'" in msg


def _frame(synth):
    return synth.train_test_host.copy()


def test_blank_strings_in_host_numeric_become_nan(small_synthetic):
    raw = small_synthetic.host
    blanks = (raw == " ").sum().sum()
    assert blanks > 0  # the stand-in carries the dirt
    t = clean_frame(raw, "host", "synthetic")
    feats = t.frame[list(get_schema("processed_windows10").by_role("numeric"))]
    assert all(dt == np.float64 for dt in feats.dtypes)
    assert feats.isna().sum().sum() == blanks


def test_text_and_inf_in_numeric_warn_and_become_missing(small_synthetic):
    raw = small_synthetic.train_test_network.head(50).copy()
    raw["duration"] = raw["duration"].astype(object)
    raw.loc[3, "duration"] = "abc"
    raw["src_bytes"] = raw["src_bytes"].astype(float)
    raw.loc[4, "src_bytes"] = np.inf
    with pytest.warns(UserWarning, match="'duration': 1 non-numeric"):
        t = clean_frame(raw, "network", "x.csv")
    assert np.isnan(t.frame.loc[3, "duration"]) and np.isnan(t.frame.loc[4, "src_bytes"])
    assert any("infinite" in n for n in t.notes)


def test_label_contradicting_type_is_rebuilt_with_warning(small_synthetic):
    raw = small_synthetic.train_test_network.head(40).copy()
    normal = raw.index[raw["type"] == "normal"][0]
    raw.loc[normal, "label"] = 1
    with pytest.warns(UserWarning, match="contradicts 'type' in 1 row"):
        t = clean_frame(raw, "network", "x.csv")
    assert t.frame.loc[normal, "label"] == 0


def test_unknown_class_name_is_rejected(small_synthetic):
    raw = small_synthetic.train_test_network.head(10).copy()
    raw.loc[2, "type"] = "alien"
    with pytest.raises(MmidsInputError, match=r"x.csv: column 'type' has unknown class name\(s\) \['alien'\]"):
        clean_frame(raw, "network", "x.csv")


def test_duplicates_reported_and_dropped_on_request(small_synthetic):
    raw = small_synthetic.train_test_network
    expected = int(raw.duplicated().sum())
    assert expected > 0
    kept = clean_frame(raw, "network", "s")
    dropped = clean_frame(raw, "network", "s", drop_duplicates=True)
    assert kept.duplicates == dropped.duplicates == expected
    assert len(kept.frame) == len(raw) and len(dropped.frame) == len(raw) - expected
    assert int(count_duplicates(kept.frame).sum()) == expected


def test_extra_columns_warned_and_kept_out_of_features(tmp_path, small_synthetic):
    raw = small_synthetic.train_test_network.head(20).copy()
    raw["my_note"] = "x"
    path = tmp_path / "net.csv"
    raw.to_csv(path, index=False)
    with pytest.warns(UserWarning, match="my_note"):
        t = load_network(path)
    assert t.extra_columns == ["my_note"] and "my_note" not in t.schema.features


@pytest.mark.parametrize("content,match", [
    ("", "file is empty"),
    ("a;b;c\n1;2;3\n", "wrong delimiter"),
    ("src_ip,src_ip,label\n1,2,3\n", r"duplicated column name\(s\): \['src_ip'\]"),
])
def test_malformed_files_get_one_clear_error(tmp_path, content, match):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(MmidsInputError, match=match) as err:
        load_network(path)
    assert "bad.csv" in str(err.value)


def test_header_only_file_is_rejected(tmp_path):
    path = tmp_path / "head.csv"
    path.write_text(",".join(get_schema("train_test_network").columns) + "\n")
    with pytest.raises(MmidsInputError, match="no data rows"):
        load_network(path)


def test_folder_layouts_load_and_identify(standin_folder, small_synthetic):
    tt_net = load_network(standin_folder, layout="train_test")
    pr_net = load_network(standin_folder, layout="processed")  # 3 Network_dataset_{i}.csv files
    tt_host = load_host(standin_folder, layout="train_test")
    assert tt_net.schema.name == "train_test_network" and pr_net.schema.name == "processed_network"
    assert tt_host.schema.name == "train_test_windows10"
    assert len(pr_net.frame) == len(tt_net.frame) == len(tt_host.frame) == 2000
    assert "3 files" in pr_net.source
    assert pr_net.frame["ts"].is_monotonic_increasing
    assert (tt_net.frame["type"].value_counts() == small_synthetic.network["type"].value_counts()).all()


def test_known_windows10_versions_are_named():
    from mmids.data.loaders import LoadedTable

    frame = pd.DataFrame({"type": ["normal"]})
    t = LoadedTable(frame, get_schema("train_test_windows10"), "f", 21_104, 0, False)
    assert "21,104-row version" in t.identity
    t.rows_read = 35_975
    assert "35,975-row version" in t.identity


@pytest.mark.parametrize("compact", [True, False])
def test_processed_files_stack_into_columns_equal_to_a_plain_read(standin_folder, compact):
    """Typed per-file reads stacked column by column: category columns stay categorical (one small
    code per row) and every value equals a plain pandas read + concat of the same files."""
    files = sorted(standin_folder.rglob("Network_dataset_*.csv"), key=lambda p: int(p.stem.split("_")[-1]))
    plain = pd.concat([pd.read_csv(f, keep_default_na=False, dtype=str) for f in files], ignore_index=True)
    t = load_network(standin_folder, layout="processed", compact=compact)
    f = t.frame
    schema = t.schema
    assert isinstance(f["proto"].dtype, pd.CategoricalDtype) == compact
    assert isinstance(f["src_ip"].dtype, pd.CategoricalDtype) == compact
    for col in schema.by_role("categorical"):
        want = plain[col].mask(plain[col].isin(["-", "", " "]))
        got = f[col].astype(object)
        assert (got.isna() == want.isna()).all(), col
        assert (got[want.notna()].astype(str) == want[want.notna()]).all(), col
    for col in schema.by_role("numeric"):
        want = pd.to_numeric(plain[col].mask(plain[col].isin(["-", "", " "])), errors="coerce")
        np.testing.assert_array_equal(f[col].to_numpy(), want.to_numpy(dtype=float), err_msg=col)
    assert (f["type"] == plain["type"].str.strip().str.lower()).all()


def test_column_stacking_survives_files_with_different_category_sets(tmp_path, small_synthetic):
    """One file whose 'ssl_version' is all '-' (an empty dictionary), another with values."""
    from mmids.data.files import atomic_write_csv

    net = small_synthetic.network
    a, b = net.iloc[:300].copy(), net.iloc[300:600].copy()
    a["ssl_version"] = "-"
    b["ssl_version"] = "TLSv12"
    atomic_write_csv(a, tmp_path / "Network_dataset_1.csv")
    atomic_write_csv(b, tmp_path / "Network_dataset_2.csv")
    f = load_network(tmp_path, layout="processed", compact=True).frame
    assert len(f) == 600 and f["ssl_version"].iloc[:300].isna().all()
    assert (f["ssl_version"].iloc[300:].astype(str) == "TLSv12").all()


def test_one_dirty_file_sends_the_set_through_the_coercing_read(tmp_path, small_synthetic):
    from mmids.data.files import atomic_write_csv

    net = small_synthetic.network
    a, b = net.iloc[:300].copy(), net.iloc[300:600].copy()
    b["duration"] = b["duration"].astype(object)
    b.iloc[5, b.columns.get_loc("duration")] = "slow"
    atomic_write_csv(a, tmp_path / "Network_dataset_1.csv")
    atomic_write_csv(b, tmp_path / "Network_dataset_2.csv")
    with pytest.warns(UserWarning, match="'duration': 1 non-numeric"):
        t = load_network(tmp_path, layout="processed", compact=True)
    assert len(t.frame) == 600 and np.isnan(t.frame["duration"].iloc[305])
    assert t.frame["proto"].isna().sum() == (net["proto"].iloc[:600] == "-").sum()
