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
