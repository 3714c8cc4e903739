"""The malformed-input corpus (tests/bad_inputs/, made by make_corpus.py) and its documented outcomes.

Every case is run through a real entry point. "rejected": exit status 2, one line naming the file,
column or key, no traceback, no output written. "handled": exit status 0 with a warning that says
what was done (or, for documented dirt, silently as documented). docs/reliability.md lists them.
"""

import shutil
from pathlib import Path

import pytest

from mmids.cli.export import main as export_main
from mmids.cli.predict import main as predict_main
from mmids.cli.train import main as train_main
from mmids.cli.validate import main as validate_main

BAD = Path(__file__).parent / "bad_inputs"

# (file, extra args, exit status, text that must appear on stderr)
FILE_CASES = [
    ("empty.csv", [], 2, "empty.csv: file is empty"),
    ("header_only.csv", [], 2, "header_only.csv: no data rows (header only)"),
    ("missing_columns.csv", [], 2, "missing 2 required column(s) of the train_test_network schema: 'proto', 'dst_bytes'"),
    ("duplicate_columns.csv", [], 2, "duplicated column name(s): ['src_bytes']"),
    ("semicolon.csv", [], 2, "header has no commas"),
    ("latin1_header.csv", [], 2, "header is not UTF-8 text"),
    ("latin1_cell.csv", [], 2, "column 'dns_query' holds bytes that are not UTF-8 text"),
    ("truncated.csv", [], 2, "truncated.csv: cannot parse CSV: CSV parse error: Expected 44 columns"),
    ("unknown_class.csv", [], 2, "column 'type' has unknown class name(s) ['alien']"),
    ("empty_type.csv", [], 2, "column 'type' is empty in 1 row(s)"),
    ("does_not_exist.csv", [], 2, "does_not_exist.csv: path does not exist"),
    ("no_labels.csv", [], 2, "missing 2 required column(s) of the train_test_network schema: 'label', 'type'"),
    ("text_in_numeric.csv", [], 0, "column 'duration': 1 non-numeric value(s) (e.g. 'fast') read as missing"),
    ("nan_inf.csv", [], 0, "column 'src_bytes': 1 infinite value(s) read as missing"),
    ("negative_counts.csv", [], 0, "column 'src_pkts': 1 negative count(s) (e.g. -5) read as missing"),
    ("label_contradicts_type.csv", [], 0, "column 'label' contradicts 'type' in 1 row(s); 'label' rebuilt from 'type'"),
    ("extra_column.csv", [], 0, "1 column(s) not in the train_test_network schema kept out of features: ['my_note']"),
    ("bom_header.csv", [], 0, ""),
    ("unseen_category.csv", [], 0, ""),  # encoded to the 'unseen' bucket at scoring time (see predict case)
    ("no_labels.csv", ["--no-labels"], 0, ""),
    ("host_blank_cells.csv", ["--modality", "host"], 0, ""),  # blank " " cells are documented dirt: read as missing
]


@pytest.mark.parametrize("name,extra,status,message", FILE_CASES, ids=[f"{c[0]}{'+' + c[1][0] if c[1] else ''}" for c in FILE_CASES])
def test_file_corpus(name, extra, status, message, capsys):
    args = [str(BAD / name)] + (extra if "--modality" in extra else ["--modality", "network", *extra])
    assert validate_main(args) == status
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert message in err
    if status == 2:
        assert err.count("\n") == 1 and err.startswith("error: ")


CONFIG_CASES = [
    ("config_unknown_key.yaml", "unknown config key 'model.fusoin'"),
    ("config_wrong_type.yaml", "config key 'trainer.max_epochs': got 'ten', expected an integer"),
    ("config_not_yaml.yaml", "config_not_yaml.yaml: not valid YAML"),
    ("config_list.yaml", "config_list.yaml: top level must be a mapping"),
    ("no_such_config.yaml", "no_such_config.yaml: config not found (looked in configs/); available:"),
]


@pytest.mark.parametrize("name,message", CONFIG_CASES)
def test_config_corpus(name, message, capsys, tmp_path):
    assert train_main(["--config", str(BAD / name), "--output_dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not any(tmp_path.iterdir())  # nothing written


def test_data_folder_without_files_and_single_class(tmp_path, capsys):
    assert train_main(["--config", "fused_cnn.yaml", "--data.source", "train_test", "--data.root", str(BAD),
                       "--data.pairing", "class_conditional", "--output_dir", str(tmp_path)]) == 2
    assert "no network file matching ['train_test_network.csv'] under this folder" in capsys.readouterr().err
    root = tmp_path / "one_class"
    net = root / "Train_Test_datasets/Train_Test_Network_dataset/train_test_network.csv"
    host = root / "Train_Test_datasets/Train_Test_Windows_dataset/Train_Test_Windows_10.csv"
    net.parent.mkdir(parents=True)
    host.parent.mkdir(parents=True)
    shutil.copy(BAD / "net_ok.csv", net)  # backdoor only
    text = (BAD / "host_blank_cells.csv").read_text().splitlines()
    host.write_text("\n".join([text[0]] + [",".join(r.split(",")[:-2] + ["1", "backdoor"]) for r in text[1:]]) + "\n")
    assert train_main(["--config", "fused_cnn.yaml", "--data.source", "train_test", "--data.root", str(root),
                       "--data.pairing", "class_conditional", "--output_dir", str(tmp_path / "out")]) == 2
    assert "only one class (backdoor) is left" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.fixture(scope="module")
def artefact(tiny_run, tmp_path_factory):
    out = tmp_path_factory.mktemp("deploy_bad")
    assert export_main([str(tiny_run), "--out", str(out)]) == 0
    return out


def test_predict_corpus(artefact, tmp_path, capsys, standin_folder):
    out = tmp_path / "pred.csv"
    net = str(BAD / "net_ok.csv")
    cases = [
        ([str(tmp_path / "nowhere"), "--network", net], "no model.json sidecar"),
        ([str(artefact), "--network", str(BAD / "truncated.csv")], "cannot parse CSV"),
        ([str(artefact), "--network", net, "--host", str(BAD / "host_blank_cells.csv")],
         "--join position needs as many host rows as network rows"),
        ([str(artefact), "--network", net, "--host", str(BAD / "host_blank_cells.csv"), "--join", "time_window"],
         "'time_window' pairing needs a 'ts' column"),
    ]
    for args, message in cases:
        assert predict_main([*args, "--out", str(out)]) == 2, args
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err
        assert not out.exists() and not list(tmp_path.glob(".pred*"))
    # unseen category and unlabelled rows are handled
    assert predict_main([str(artefact), "--network", str(BAD / "unseen_category.csv"), "--out", str(out)]) == 0
    assert predict_main([str(artefact), "--network", str(BAD / "no_labels.csv"), "--out", str(tmp_path / "p2.csv")]) == 0


def test_tampered_artefact_and_bad_checkpoints(artefact, tiny_run, tmp_path, capsys):
    copy = tmp_path / "deploy"
    shutil.copytree(artefact, copy)
    with open(copy / "model.ts", "ab") as fh:
        fh.write(b"!")
    assert predict_main([str(copy), "--network", str(BAD / "net_ok.csv"), "--out", str(tmp_path / "p.csv")]) == 2
    assert "does not match the sha256 in model.json" in capsys.readouterr().err
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    shutil.copy(BAD / "not_a_checkpoint.bin", run / "best.ckpt")
    assert export_main([str(run), "--out", str(tmp_path / "d")]) == 2
    assert "cannot load checkpoint" in capsys.readouterr().err
    assert export_main([str(tmp_path / "missing_run"), "--out", str(tmp_path / "d")]) == 2
    assert "not a finished mmids run" in capsys.readouterr().err
    assert not (tmp_path / "d").exists()
