"""Read TON_IoT CSVs (or the generated stand-in) into clean frames, loudly rejecting bad input.

Cleaning, per column role:
- categorical: the literal ``-`` and empty strings become missing (NaN);
- numeric: blank ``" "`` and ``-`` become NaN, other text is coerced to NaN with a warning, +-inf
  becomes NaN with a warning;
- labels: ``type`` is stripped and lower-cased and must be a TON_IoT class; ``label`` must be 0 for
  ``normal`` and 1 otherwise (contradictions are warned about and ``label`` is rebuilt from ``type``).
Exact duplicate rows are counted and dropped on request. Extra columns stay in the frame but are
never features.
"""

from __future__ import annotations

import re
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from mmids.data.schema import (
    CATEGORICAL,
    LABEL_COLUMNS,
    NETWORK_HEAVY_TAILED,
    NUMERIC,
    TON_IOT_CLASSES,
    Schema,
    detect_schema,
)
from mmids.data.files import sha256_file
from mmids.errors import MmidsInputError

MISSING_MARKERS = ("-", "", " ")

# Known row counts of circulating copies, used to say which file version was read.
KNOWN_VERSIONS = {
    ("train_test_network", 211_043): "full Train_Test network file (211,043 rows)",
    ("train_test_windows10", 21_104): "Train_Test_Windows_10, 21,104-row version (10,000 normal)",
    ("train_test_windows10", 35_975): "Train_Test_Windows_10, 35,975-row version (24,871 normal)",
    ("train_test_windows7", 15_980): "Train_Test_Windows_7 (15,980 rows)",
    ("processed_windows10", 35_975): "windows10_dataset (35,975 rows)",
    ("processed_windows7", 28_367): "windows7_dataset (28,367 rows)",
}

# File names inside a TON_IoT folder, per (modality, layout, host OS).
FOLDER_FILES = {
    ("network", "train_test"): ["train_test_network.csv"],
    ("network", "processed"): ["Network_dataset_*.csv"],
    ("host", "train_test", "windows10"): ["Train_Test_Windows_10.csv"],
    ("host", "train_test", "windows7"): ["Train_Test_Windows_7.csv"],
    ("host", "processed", "windows10"): ["windows10_dataset.csv"],
    ("host", "processed", "windows7"): ["windows7_dataset.csv"],
}


@dataclass
class LoadedTable:
    """A cleaned modality table and what was learned while reading it."""

    frame: pd.DataFrame
    schema: Schema
    source: str
    rows_read: int
    duplicates: int
    duplicates_dropped: bool
    extra_columns: list[str] = field(default_factory=list)
    sha256: str | None = None
    notes: list[str] = field(default_factory=list)
    duplicate_mask: np.ndarray | None = field(default=None, repr=False)  # [rows] bool: repeats an earlier row

    @property
    def identity(self) -> str:
        """Which file/version this is, e.g. the 21,104- vs 35,975-row Windows 10 copies."""
        known = KNOWN_VERSIONS.get((self.schema.name, self.rows_read))
        what = known or f"{self.schema.name}, {self.rows_read:,} rows (not a known published copy)"
        return f"{what}; sha256 {self.sha256[:16]}" if self.sha256 else f"{self.source}: {what}"

    def summary(self) -> dict:
        return {
            "source": self.source,
            "schema": self.schema.name,
            "identity": self.identity,
            "rows_read": self.rows_read,
            "rows": len(self.frame),
            "duplicates": self.duplicates,
            "duplicates_dropped": self.duplicates_dropped,
            "extra_columns": list(self.extra_columns),
            "classes": self.frame["type"].value_counts().sort_index().to_dict() if "type" in self.frame else {},
            "notes": list(self.notes),
        }


def _warn(notes: list[str], message: str) -> None:
    notes.append(message)
    warnings.warn(message, stacklevel=3)


def _clean_numeric(s: pd.Series, col: str, source: str, notes: list[str]) -> pd.Series:
    if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        out = pd.to_numeric(s, errors="coerce")
        bad = out.isna() & s.notna()
        if bad.any():
            text = s[bad].astype(str).str.strip()
            out[bad] = pd.to_numeric(text.mask(text.isin(MISSING_MARKERS)), errors="coerce")
            bad = out.isna() & s.notna() & ~text.reindex(s.index).isin(MISSING_MARKERS)
            if bad.any():
                _warn(notes, f"{source}: column {col!r}: {int(bad.sum())} non-numeric value(s) "
                             f"(e.g. {s[bad].iloc[0]!r}) read as missing")
        s = out
    if s.dtype != np.float64:
        s = s.astype("float64")
    values = s.to_numpy()
    inf = np.isinf(values)
    if inf.any():
        _warn(notes, f"{source}: column {col!r}: {int(inf.sum())} infinite value(s) read as missing")
        s = s.mask(inf)
    if col in NETWORK_HEAVY_TAILED:
        negative = values < 0
        if negative.any():
            _warn(notes, f"{source}: column {col!r}: {int(negative.sum())} negative count(s) "
                         f"(e.g. {values[negative][0]:g}) read as missing")
            s = s.mask(negative)
    return s


def _clean_categorical(s: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(s):
        s = s.astype("string")
    markers = s.isin(MISSING_MARKERS)
    return s.mask(markers) if markers.any() else s


def _normalised_classes(s: pd.Series) -> pd.Series:
    """Stripped, lower-cased class names as strings; a categorical column is normalised per category."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        names = s.cat.categories.astype(str).str.strip().str.lower()
        return pd.Series(names.to_numpy()[s.cat.codes.to_numpy()], index=s.index, dtype=str)
    return s.astype(str).str.strip().str.lower()


def _clean_labels(frame: pd.DataFrame, source: str, notes: list[str]) -> None:
    if frame["type"].isna().any():
        rows = np.flatnonzero(frame["type"].isna().to_numpy())[:5].tolist()
        raise MmidsInputError(f"column 'type' is empty in {int(frame['type'].isna().sum())} row(s) "
                              f"(first rows {rows})", source=source)
    kind = _normalised_classes(frame["type"])
    unknown = sorted(set(kind.unique()) - set(TON_IOT_CLASSES))
    if unknown:
        raise MmidsInputError(f"column 'type' has unknown class name(s) {unknown}; "
                              f"known TON_IoT classes: {list(TON_IOT_CLASSES)}", source=source)
    frame["type"] = kind
    expected = (kind != "normal").astype("int64")
    label = pd.to_numeric(frame["label"], errors="coerce")
    wrong = label.isna() | (label != expected)
    if wrong.any():
        _warn(notes, f"{source}: column 'label' contradicts 'type' in {int(wrong.sum())} row(s); "
                     "'label' rebuilt from 'type' (0 = normal, 1 = attack)")
    frame["label"] = expected


def count_duplicates(frame: pd.DataFrame) -> pd.Series:
    """Boolean mask of rows that exactly repeat an earlier row.

    A cheap hash over the numeric columns finds candidate rows first; only those are compared on
    every column, which keeps this fast on wide, string-heavy frames."""
    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
    acc = np.zeros(len(frame), dtype=np.uint64)
    for i, col in enumerate(numeric):
        values = frame[col].to_numpy(dtype=np.float64, na_value=np.nan)
        bits = np.where(np.isnan(values), -0.5, values).view(np.uint64)
        acc = (acc * np.uint64(0x100000001B3 + 2 * i)) ^ bits
    candidates = pd.Series(acc).duplicated(keep=False).to_numpy()
    mask = np.zeros(len(frame), dtype=bool)
    if candidates.any():
        sub = frame.loc[candidates]
        mask[np.flatnonzero(candidates)] = pd.util.hash_pandas_object(sub, index=False).duplicated().to_numpy()
    return pd.Series(mask, index=frame.index)


def clean_frame(frame: pd.DataFrame, modality: str, source: str, *, drop_duplicates: bool = False,
                sha256: str | None = None, markers_done: bool = False, require_labels: bool = True) -> LoadedTable:
    """Validate and clean a raw frame read from ``source`` (a path or a description).

    ``markers_done``: categorical ``-``/blank cells were already read as missing (typed read).
    ``require_labels=False`` (scoring unlabelled rows): ``label``/``type`` may be absent."""
    header = [str(c) for c in frame.columns]
    dupes = sorted({c for c in header if header.count(c) > 1})
    if dupes:
        raise MmidsInputError(f"duplicated column name(s): {dupes}", source=source)
    schema, missing, extra = detect_schema(header, modality)
    if not require_labels:
        missing = [c for c in missing if c not in LABEL_COLUMNS]
    if missing:
        shown = ", ".join(repr(c) for c in missing)
        raise MmidsInputError(f"missing {len(missing)} required column(s) of the {schema.name} "
                              f"schema: {shown}", source=source)
    if len(frame) == 0:
        raise MmidsInputError("no data rows (header only)", source=source)
    notes: list[str] = []
    if extra:
        _warn(notes, f"{source}: {len(extra)} column(s) not in the {schema.name} schema kept out of "
                     f"features: {extra}")
    rows_read = len(frame)
    columns = [c for c in schema.columns if c in frame.columns]
    order = columns + extra
    out = frame.copy(deep=False) if header == order else frame[order].copy(deep=False)
    for col in columns:
        role = schema.roles[col]
        if role == NUMERIC:
            cleaned = _clean_numeric(out[col], col, source, notes)
        elif role == CATEGORICAL and not markers_done:
            cleaned = _clean_categorical(out[col])
        else:
            continue
        if cleaned is not out[col]:
            out[col] = cleaned
    if "type" in out:
        if "label" not in out:
            out["label"] = 0
        _clean_labels(out, source, notes)
    dup_mask = count_duplicates(out[columns])
    n_dup = int(dup_mask.sum())
    if n_dup:
        notes.append(f"{source}: {n_dup} exact duplicate row(s)" + (" dropped" if drop_duplicates else " kept"))
    dup = dup_mask.to_numpy()
    if drop_duplicates and n_dup:
        out = out.loc[~dup].reset_index(drop=True)
        dup = np.zeros(len(out), dtype=bool)
    return LoadedTable(out, schema, source, rows_read, n_dup, drop_duplicates, extra, sha256, notes, dup)


def _check_head(path: Path) -> list[str]:
    """Reject missing/empty/non-UTF-8/wrong-delimiter files and duplicated names; return the header."""
    source = str(path)
    if not path.is_file():
        raise MmidsInputError("file not found", source=source)
    with path.open("rb") as fh:
        head = fh.read(65536)
    if not head.strip():
        raise MmidsInputError("file is empty", source=source)
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MmidsInputError(f"header is not UTF-8 text ({exc.reason} at byte {exc.start})", source=source) from None
    if "," not in text and any(d in text for d in (";", "\t", "|")):
        raise MmidsInputError("header has no commas: TON_IoT files are comma-separated "
                              "(wrong delimiter?)", source=source)
    header = [h.strip('"') for h in text.split(",")]
    dupes = sorted({c for c in header if header.count(c) > 1})
    if dupes:
        raise MmidsInputError(f"duplicated column name(s): {dupes}", source=source)
    return header


def _parse_error(exc: Exception, source: str) -> MmidsInputError:
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return MmidsInputError(f"cannot parse CSV: {reason}", source=source)


# Above this much CSV, text columns are read dictionary-encoded (pandas categoricals) and converted
# column by column: about half the peak memory, about 0.05 s slower per 200k rows.
COMPACT_ABOVE_BYTES = 256 << 20


def _arrow_types(schema: Schema, compact: bool) -> dict:
    """Column types for a typed read: numbers as float64, text as strings, or with ``compact`` as
    dictionary-encoded strings (a category column of millions of rows then costs a small integer per row)."""
    import pyarrow as pa

    text = pa.dictionary(pa.int32(), pa.string()) if compact else pa.string()
    types = {c: pa.float64() if r == NUMERIC else text for c, r in schema.roles.items() if r in (NUMERIC, CATEGORICAL)}
    if compact:
        types.update({c: text for c in schema.columns if c.endswith("_ip") or c == "type"})
    return types


def read_arrow_typed(path: Path, schema: Schema, compact: bool = False):
    """The file as a typed ``pyarrow.Table`` (``-``/blank cells missing), parsed block by block so the
    raw text is never held whole; ``None`` when a numeric column holds other text (use
    ``read_csv_checked``'s untyped read, whose cleaner coerces and warns)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    options = pacsv.ConvertOptions(column_types=_arrow_types(schema, compact), null_values=list(MISSING_MARKERS),
                                   strings_can_be_null=True)
    try:
        return pacsv.read_csv(path, convert_options=options)
    except pa.ArrowInvalid as exc:
        match = re.search(r"column #(\d+).*UTF8", str(exc))
        if match:
            header = _check_head(path)
            name = header[int(match.group(1))] if int(match.group(1)) < len(header) else match.group(1)
            raise MmidsInputError(f"column {name!r} holds bytes that are not UTF-8 text; re-save the file "
                                  "as UTF-8", source=str(path)) from None
        return None


def arrow_to_pandas(table, compact: bool = False) -> pd.DataFrame:
    """A typed table as a frame. ``compact``: converted column by column while Arrow frees each one,
    and the freed memory handed back to the system."""
    import pyarrow as pa

    if not compact:
        return table.to_pandas()
    frame = table.to_pandas(self_destruct=True, split_blocks=True, use_threads=False)
    pa.default_memory_pool().release_unused()
    return frame


def concat_columnwise(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Stack frames one column at a time, dropping each file's piece once it is copied, so the peak
    is the result plus one column rather than twice the result (``frames`` is emptied).
    Categorical columns are unioned, not turned into strings."""
    from pandas.api.types import union_categoricals

    if len(frames) == 1:
        return frames.pop()
    names = list(dict.fromkeys(c for f in frames for c in f.columns))
    columns = {}
    for name in names:
        pieces = [f.pop(name) if name in f else pd.Series(np.nan, index=range(len(f))) for f in frames]
        combined = None
        if all(isinstance(p.dtype, pd.CategoricalDtype) for p in pieces):
            try:
                combined = pd.Series(union_categoricals(pieces, ignore_order=True))
            except TypeError:  # categories of different types: a plain concat below
                pass
        columns[name] = combined if combined is not None else pd.concat(pieces, ignore_index=True)
    frames.clear()
    return pd.DataFrame(columns, copy=False)


def read_csv_checked(path: Path, schema: Schema | None = None) -> tuple[pd.DataFrame, bool]:
    """Read a CSV with pyarrow. With a ``schema``, its columns are typed and ``-``/blank cells read
    as missing during parsing (fast path); a file whose numeric columns hold other text falls back
    to an untyped read, and the cleaner then coerces and warns. Returns (frame, typed)."""
    if schema is not None:
        table = read_arrow_typed(path, schema)
        if table is not None:
            return arrow_to_pandas(table), True
    return _read_untyped(path), False


def _read_untyped(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, engine="pyarrow")
    except UnicodeDecodeError as exc:
        raise MmidsInputError(f"not UTF-8 text ({exc.reason})", source=str(path)) from None
    except Exception as exc:  # pyarrow.ArrowInvalid, ParserError, ...: one message, no traceback
        raise _parse_error(exc, str(path)) from None


def resolve_files(path: str | Path, modality: str, layout: str = "train_test",
                  host_os: str = "windows10") -> list[Path]:
    """A file path as given, or the TON_IoT file(s) of this modality found under a folder."""
    p = Path(path)
    if p.is_file():
        return [p]
    if not p.exists():
        raise MmidsInputError("path does not exist", source=str(p))
    key = (modality, layout) if modality == "network" else (modality, layout, host_os)
    if key not in FOLDER_FILES:
        raise MmidsInputError(f"no {modality} files for layout {layout!r} and host OS {host_os!r}", source=str(p))
    patterns = FOLDER_FILES[key]
    found: list[Path] = []
    for pattern in patterns:
        found = sorted(f for f in p.rglob("*") if f.is_file() and f.match(pattern))
        if found:
            break
    if not found:
        raise MmidsInputError(f"no {modality} file matching {patterns} under this folder", source=str(p))

    def number(f: Path) -> tuple[int, str]:
        digits = "".join(ch for ch in f.stem if ch.isdigit())
        return (int(digits) if digits else 0, f.name)

    return sorted(found, key=number)


def load_table(path: str | Path, modality: str, *, layout: str = "train_test", host_os: str = "windows10",
               drop_duplicates: bool = False, require_labels: bool = True, compact: bool | None = None) -> LoadedTable:
    """Load one modality from a CSV file or a TON_IoT folder (several processed files are stacked).

    ``compact`` (default: above ``COMPACT_ABOVE_BYTES`` of CSV): text columns come back as pandas
    categoricals, and files are stacked column by column."""
    files = resolve_files(path, modality, layout, host_os)
    if compact is None:
        compact = sum(f.stat().st_size for f in files) > COMPACT_ABOVE_BYTES
    with ThreadPoolExecutor(1) as pool:  # hashing overlaps parsing (both release the GIL)
        digest = pool.submit(sha256_file, files[0]) if len(files) == 1 else None
        frames, typed = [], True
        for f in files:
            header = _check_head(f)
            schema, missing, _ = detect_schema(header, modality)
            if not require_labels:
                missing = [c for c in missing if c not in LABEL_COLUMNS]
            if missing:
                raise MmidsInputError(f"missing {len(missing)} required column(s) of the {schema.name} "
                                      f"schema: {', '.join(repr(c) for c in missing)}", source=str(f))
            table = read_arrow_typed(f, schema, compact)  # one file's table at a time
            typed &= table is not None
            frames.append(arrow_to_pandas(table, compact) if table is not None else _read_untyped(f))
        sha = digest.result() if digest else None
    frame = concat_columnwise(frames)
    source = str(files[0]) if len(files) == 1 else f"{files[0].parent} ({len(files)} files)"
    return clean_frame(frame, modality, source, drop_duplicates=drop_duplicates, sha256=sha, markers_done=typed,
                       require_labels=require_labels)


def load_network(path: str | Path, *, layout: str = "train_test", drop_duplicates: bool = False,
                 require_labels: bool = True, compact: bool | None = None) -> LoadedTable:
    """Network flows (Train_Test or processed layout) as a clean frame."""
    return load_table(path, "network", layout=layout, drop_duplicates=drop_duplicates, require_labels=require_labels,
                      compact=compact)


def load_host(path: str | Path, *, layout: str = "train_test", host_os: str = "windows10",
              drop_duplicates: bool = False, require_labels: bool = True, compact: bool | None = None) -> LoadedTable:
    """Windows 7/10 host audit snapshots as a clean frame."""
    return load_table(path, "host", layout=layout, host_os=host_os, drop_duplicates=drop_duplicates,
                      require_labels=require_labels, compact=compact)
