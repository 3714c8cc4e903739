import warnings
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def small_synthetic():
    from mmids.data.synthetic import generate

    return generate(2000, seed=3)


@pytest.fixture(scope="session")
def standin_folder(tmp_path_factory, small_synthetic):
    from mmids.data.files import write_ton_iot_folder

    out = tmp_path_factory.mktemp("standin")
    write_ton_iot_folder(small_synthetic, out, rows_per_processed_file=700)
    return out


@pytest.fixture(autouse=True)
def _quiet_known_warnings():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*does not have many workers.*")
        yield


TINY = ["--data.rows", "800", "--trainer.max_epochs", "2", "--trainer.enable_progress_bar", "false",
        "--model.cnn_channels", "[4, 8]", "--model.embed_dim", "16", "--data.batch_size", "128"]


def _train(out, name, *extra):
    from mmids.cli.train import main as train_main

    rc = train_main(["--config", "fused_cnn.yaml", "--seed", "1", "--output_dir", str(out), "--run_name", name, *TINY, *extra])
    assert rc == 0
    return out / name


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory):
    """A 2-epoch fused 1D-CNN run on 800 stand-in events."""
    return _train(tmp_path_factory.mktemp("runs"), "tiny")


@pytest.fixture(scope="session")
def tiny_pca_run(tmp_path_factory):
    """The same, on fused PCA input (20 components)."""
    return _train(tmp_path_factory.mktemp("runs"), "tiny_pca", "--data.reduce", "pca", "--data.n_components", "20")
