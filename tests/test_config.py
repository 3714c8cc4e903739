import subprocess
import sys

import pytest

from mmids.config import load_config, parse_overrides
from mmids.errors import MmidsInputError


def test_named_config_found_in_configs_and_overrides_apply():
    cfg = load_config("fused_cnn.yaml", ["--model.fusion", "attention", "--trainer.max_epochs=3", "--data.rows", "500"])
    assert cfg.config_name == "fused_cnn"
    assert (cfg.model.fusion, cfg.trainer.max_epochs, cfg.data.rows) == ("attention", 3, 500)
    assert load_config("network_cnn").model.fusion == "network"  # .yaml optional


@pytest.mark.parametrize("overrides,match", [
    (["--model.fuson", "late"], r"unknown config key 'model.fuson'; allowed keys under 'model': encoder, fusion"),
    (["--model.fusion", "middle"], r"'model.fusion': got 'middle', expected one of 'early', 'late', 'attention'"),
    (["--trainer.max_epochs", "2.5"], r"'trainer.max_epochs': got 2.5, expected an integer"),
    (["--data.pairing", "random"], r"'data.pairing'.*'aligned', 'time_window', 'class_conditional'"),
    (["--data.difficulty", "3"], r"'data.difficulty': value not allowed; must be in \[0, 1\]"),
    (["--data.source", "train_test"], r"'data.root'"),
    (["--colour", "red"], r"unknown config key 'colour'"),
])
def test_bad_keys_and_values_name_the_key_and_allowed(overrides, match):
    with pytest.raises(MmidsInputError, match=match):
        load_config("fused_cnn.yaml", overrides)


def test_missing_config_lists_available():
    with pytest.raises(MmidsInputError, match="available: .*fused_cnn.yaml"):
        load_config("nope.yaml")


def test_override_parsing_types_values():
    assert parse_overrides(["--a.b", "3", "--a.c=true", "--d", "[1, 2]"]) == {"a": {"b": 3, "c": True}, "d": [1, 2]}
    with pytest.raises(MmidsInputError, match="has no value"):
        parse_overrides(["--a.b"])


def test_config_errors_exit_2_before_heavy_imports():
    code = ("import sys; from mmids.cli.train import main; rc = main(['--config', 'fused_cnn.yaml', "
            "'--model.fusion', 'bogus']); print('torch' in sys.modules, 'lightning' in sys.modules); sys.exit(rc)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "error: config key 'model.fusion'" in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stdout.strip() == "False False"
