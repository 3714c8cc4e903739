"""Time and peak memory of loading and preprocessing a multi-million-row processed network dataset.

    python benchmarks/large_network_files.py [--rows 5000000] [--rows-per-file 1000000] [--dir DIR]

Writes (once; reused while the row counts match) generated processed-layout network files
``Network_dataset_{i}.csv`` under ``--dir``, as TON_IoT ships its ~22M processed rows in 23 files.
Then runs each stage in a fresh process and reports wall time and the process's peak RSS:
(a) bare ``pandas.read_csv(engine="pyarrow")`` of every file, concatenated;
(b) ``mmids.data.loaders.load_network(dir, layout="processed")``: read + validate + clean + duplicate count,
    with text columns as plain strings (``compact=False``) and as the default above 256 MiB
    (``compact``: dictionary-encoded categoricals, files stacked column by column);
(c) (b) plus preprocessing fitted on 70% of the rows and applied to all of them;
(d) the whole training-side data pipeline, ``prepare_data``: both modalities (a generated
    ``windows10_dataset.csv`` of 40,000 host rows is written too), split, class_conditional
    pairing, preprocessing, and the train/val/test tensors (host rows stored once, indexed per pair).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STAGES = {
    "bare_read_csv": "bare pandas.read_csv(engine='pyarrow'), all files",
    "load_network_plain_text": "mmids load_network, compact=False (text as strings)",
    "load_network": "mmids load_network (read + clean + duplicates)",
    "load_and_preprocess": "mmids load_network + preprocessing fit/transform",
    "prepare_data": "mmids prepare_data, fused (class_conditional pairing)",
}
HOST_ROWS = 40_000


def write_files(out: Path, rows: int, per_file: int, chunk: int = 200_000) -> list[Path]:
    """Processed-layout files of ``per_file`` rows, written ``chunk`` generated rows at a time
    (a different generator seed per chunk, so rows are not copies of each other)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    from tqdm import tqdm

    from mmids.data.files import atomic_save
    from mmids.data.synthetic import generate

    out.mkdir(parents=True, exist_ok=True)
    manifest = out / "manifest.json"
    want = {"rows": rows, "rows_per_file": per_file}
    files = [out / f"Network_dataset_{i + 1}.csv" for i in range((rows + per_file - 1) // per_file)]
    host = out / "windows10_dataset.csv"
    if (manifest.is_file() and json.loads(manifest.read_text()) == want and host.is_file()
            and all(f.is_file() for f in files)):
        return files
    from mmids.data.files import atomic_write_csv

    atomic_write_csv(generate(HOST_ROWS, seed=999).host, host)
    seed = 0
    with tqdm(total=rows, unit="row", desc="writing generated files") as bar:
        for i, path in enumerate(files):
            n_file = min(per_file, rows - i * per_file)

            def write(tmp: str, n_file=n_file) -> None:
                nonlocal seed
                writer, schema, done = None, None, 0
                while done < n_file:
                    n = min(chunk, n_file - done)
                    frame = generate(n, seed=1000 + seed).network
                    seed += 1
                    table = pa.Table.from_pandas(frame, preserve_index=False)
                    if writer is None:
                        schema = table.schema
                        writer = pacsv.CSVWriter(tmp, schema)
                    writer.write_table(table.cast(schema))
                    done += n
                    bar.update(n)
                writer.close()

            atomic_save(path, write)
    manifest.write_text(json.dumps(want))
    return files


def run_stage(stage: str, folder: Path) -> dict:
    """In this (fresh) process: run one stage, return seconds and peak RSS."""
    import resource
    import warnings

    import pandas as pd

    warnings.simplefilter("ignore")
    start = time.perf_counter()
    if stage == "bare_read_csv":
        files = sorted(folder.glob("Network_dataset_*.csv"))
        frame = pd.concat([pd.read_csv(f, engine="pyarrow") for f in files], ignore_index=True)
        rows, extra = len(frame), {}
    elif stage == "prepare_data":
        from mmids.config import load_config
        from mmids.data.datamodule import prepare_data

        cfg = load_config("fused_cnn.yaml", ["--data.source", "processed", "--data.root", str(folder),
                                             "--data.pairing", "class_conditional"])
        data = prepare_data(cfg.data, seed=0)
        rows, extra = sum(data.info["rows"].values()), {"splits": data.info["rows"], "model_inputs": data.dims}
    else:
        from mmids.data.loaders import load_network

        table = load_network(folder, layout="processed", compact=False if stage.endswith("plain_text") else None)
        rows, extra = len(table.frame), {"duplicates": table.duplicates}
        if stage == "load_and_preprocess":
            from mmids.data.preprocessing import ModalityPreprocessor

            fit_rows = table.frame.iloc[: int(0.7 * rows)]
            pre = ModalityPreprocessor.fit(fit_rows, table.schema)
            features = pre.transform(table.frame)
            extra["features"] = list(features.shape)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"stage": stage, "seconds": round(seconds, 2), "peak_rss_mb": round(peak_mb), "rows": rows, **extra}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--rows-per-file", type=int, default=1_000_000)
    parser.add_argument("--dir", default=str(Path(tempfile.gettempdir()) / "mmids_large_network"))
    parser.add_argument("--stages", nargs="+", default=list(STAGES), choices=list(STAGES))
    parser.add_argument("--_stage", help=argparse.SUPPRESS)
    args = parser.parse_args()
    folder = Path(args.dir)
    if args._stage:
        print(json.dumps(run_stage(args._stage, folder)))
        return
    files = write_files(folder, args.rows, args.rows_per_file)
    size_gb = sum(f.stat().st_size for f in files) / 1e9
    print(f"{args.rows:,} rows in {len(files)} files, {size_gb:.2f} GB of CSV under {folder}")
    for stage in args.stages:
        done = subprocess.run([sys.executable, __file__, "--dir", str(folder), "--_stage", stage],
                              capture_output=True, text=True)
        if done.returncode != 0:
            print(f"{STAGES[stage]}: failed (exit {done.returncode})\n{done.stderr[-2000:]}")
            continue
        r = json.loads(done.stdout.strip().splitlines()[-1])
        rest = {k: v for k, v in r.items() if k not in ("stage", "seconds", "peak_rss_mb")}
        print(f"{STAGES[stage]:<52} {r['seconds']:>8.1f} s  peak RSS {r['peak_rss_mb']:>6,} MB  {rest}")


if __name__ == "__main__":
    main()
