from pathlib import Path

from mmids.data.schema import CATEGORICAL, IDENTIFIER, LABEL, NUMERIC, all_schemas, detect_schema, get_schema

SHARED = Path(__file__).parent / "data"


def test_column_counts_match_published_files():
    expected = {"train_test_network": 44, "processed_network": 46, "train_test_windows10": 126,
                "train_test_windows7": 134, "processed_windows10": 127, "processed_windows7": 135}
    assert {k: len(s.columns) for k, s in all_schemas().items()} == expected


def test_network_names_and_roles_match_real_header():
    header = (SHARED / "train_test_network.real_rows.csv").read_text().splitlines()[0].split(",")
    s = get_schema("train_test_network")
    assert list(s.columns) == header
    assert s.by_role(IDENTIFIER) == ("src_ip", "src_port", "dst_ip", "dst_port")
    assert s.by_role(LABEL) == ("label", "type")
    assert "http_trans_depth" in s.by_role(NUMERIC) and "conn_state" in s.by_role(CATEGORICAL)


def test_processed_network_header_matches_real_processed_file():
    header = (SHARED / "processed_network_dataset_23.real_rows.csv").read_text().splitlines()[0].split(",")
    assert list(get_schema("processed_network").columns) == header


def test_windows10_names_kept_verbatim_with_constants():
    s = get_schema("train_test_windows10")
    assert "LogicalDisk(_Total) Avg  Disk Queue Length" in s.columns  # double space kept
    assert "Processor_C1_ransitions_sec" in s.columns  # typo kept
    assert len(s.constant) == 19 and set(s.constant) <= set(s.columns)
    assert len(s.by_role(NUMERIC)) == 124


def test_detect_schema_reports_missing_and_extra():
    cols = list(get_schema("train_test_network").columns)
    schema, missing, extra = detect_schema(cols[:-3] + ["bonus"], "network")
    assert schema.name == "train_test_network"
    assert missing == cols[-3:] and extra == ["bonus"]
