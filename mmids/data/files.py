"""Write frames to disk atomically, and the generated stand-in in the TON_IoT folder layout."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from mmids.data.synthetic import SyntheticData

# Relative paths of the TON_IoT folder layout, as distributed by UNSW.
LAYOUT = {
    "train_test_network": "Train_Test_datasets/Train_Test_Network_dataset/train_test_network.csv",
    "train_test_windows10": "Train_Test_datasets/Train_Test_Windows_dataset/Train_Test_Windows_10.csv",
    "processed_network": "Processed_datasets/Processed_Network_dataset/Network_dataset_{i}.csv",
    "processed_windows10": "Processed_datasets/Processed_Windows_dataset/windows10_dataset.csv",
}


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks (``hashlib.file_digest`` needs Python 3.11)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def atomic_save(path: str | Path, write: Callable[[str], object]) -> None:
    """Call ``write(tmp)`` on a temporary name beside ``path``, then rename it into place; on any
    failure the temporary file is removed and ``path`` is untouched."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, _umask_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | Path, text: str) -> None:
    atomic_save(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def atomic_write_csv(frame: pd.DataFrame, path: str | Path) -> None:
    atomic_save(path, lambda tmp: frame.to_csv(tmp, index=False))


def write_ton_iot_folder(data: SyntheticData, out: str | Path, *, rows_per_processed_file: int = 0) -> dict[str, list[Path]]:
    """Write the stand-in as TON_IoT files: Train_Test (no ``ts``, ordered by class as the real
    Windows file is) and processed (with ``ts``, time-ordered, optionally split into several
    ``Network_dataset_{i}.csv``). Returns the written paths per layout."""
    out = Path(out)
    by_class = data.network["type"].argsort(kind="stable").to_numpy()
    written: dict[str, list[Path]] = {}

    def put(key: str, frame: pd.DataFrame, path: Path) -> None:
        atomic_write_csv(frame, path)
        written.setdefault(key, []).append(path)

    put("train_test_network", data.train_test_network.iloc[by_class], out / LAYOUT["train_test_network"])
    put("train_test_windows10", data.train_test_host.iloc[by_class], out / LAYOUT["train_test_windows10"])
    chunk = rows_per_processed_file or len(data.network)
    for i, start in enumerate(range(0, len(data.network), chunk), start=1):
        put("processed_network", data.network.iloc[start:start + chunk],
            out / LAYOUT["processed_network"].format(i=i))
    put("processed_windows10", data.host, out / LAYOUT["processed_windows10"])
    return written
