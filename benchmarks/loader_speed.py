"""Loader cost vs a bare ``pandas.read_csv`` (pyarrow engine) on a full-size network file.

    python benchmarks/loader_speed.py [--rows 211043] [--repeats 3]

Writes a generated Train_Test network file with the real row count, then times, in the same run,
(a) bare ``pd.read_csv(path, engine="pyarrow")`` and (b) ``mmids.data.loaders.load_network(path)``
(read + validate + clean + duplicate count + sha256). Prints best-of-N seconds and the ratio b/a.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

from mmids.data.files import atomic_write_csv
from mmids.data.loaders import load_network
from mmids.data.synthetic import generate


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=211_043)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "train_test_network.csv"
        atomic_write_csv(generate(args.rows, seed=0).train_test_network, path)
        size_mb = path.stat().st_size / 1e6
        warnings.simplefilter("ignore")
        bare = best_of(lambda: pd.read_csv(path, engine="pyarrow"), args.repeats)
        ours = best_of(lambda: load_network(path), args.repeats)
    print(f"file: {args.rows:,} rows, {size_mb:.1f} MB")
    print(f"bare pandas.read_csv(engine='pyarrow'): {bare:.3f} s")
    print(f"mmids load_network (read+clean):        {ours:.3f} s")
    print(f"ratio: {ours / bare:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
