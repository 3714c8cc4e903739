"""TON_IoT column schemas with a role per column (identifier, numeric, categorical, label).

Column names are copied verbatim from the dataset (double spaces, the `ransitions` typo and all);
the lists live as text files in ``mmids/data/columns/`` so they can be diffed against real headers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

IDENTIFIER, NUMERIC, CATEGORICAL, LABEL = "identifier", "numeric", "categorical", "label"
ROLES = (IDENTIFIER, NUMERIC, CATEGORICAL, LABEL)

TON_IOT_CLASSES = (
    "normal", "backdoor", "ddos", "dos", "injection", "mitm", "password", "ransomware", "scanning", "xss",
)
LABEL_COLUMNS = ("label", "type")

NETWORK_IDENTIFIERS = ("src_ip", "src_port", "dst_ip", "dst_port", "ts")
NETWORK_NUMERIC = (
    "duration", "src_bytes", "dst_bytes", "missed_bytes", "src_pkts", "src_ip_bytes", "dst_pkts",
    "dst_ip_bytes", "dns_qclass", "dns_qtype", "dns_rcode", "http_trans_depth",
    "http_request_body_len", "http_response_body_len", "http_status_code",
)
# Heavy-tailed counts (bytes, packets, durations): log-scaled by the preprocessor.
NETWORK_HEAVY_TAILED = (
    "duration", "src_bytes", "dst_bytes", "missed_bytes", "src_pkts", "src_ip_bytes", "dst_pkts",
    "dst_ip_bytes", "http_request_body_len", "http_response_body_len",
)


@dataclass(frozen=True)
class Schema:
    """One TON_IoT file layout: ordered columns, a role for each, and known-constant columns."""

    name: str
    modality: str  # "network" or "host"
    columns: tuple[str, ...]
    roles: dict[str, str]
    constant: tuple[str, ...] = ()

    def by_role(self, role: str) -> tuple[str, ...]:
        return tuple(c for c in self.columns if self.roles[c] == role)

    @property
    def has_ts(self) -> bool:
        return "ts" in self.roles

    @property
    def features(self) -> tuple[str, ...]:
        """Numeric then categorical columns: the candidate model inputs (identifiers excluded)."""
        return self.by_role(NUMERIC) + self.by_role(CATEGORICAL)


def _read_list(filename: str) -> tuple[str, ...]:
    text = resources.files("mmids.data").joinpath("columns", filename).read_text(encoding="utf-8")
    return tuple(line for line in text.split("\n") if line.strip())


def _network_role(col: str) -> str:
    if col in NETWORK_IDENTIFIERS:
        return IDENTIFIER
    if col in LABEL_COLUMNS:
        return LABEL
    return NUMERIC if col in NETWORK_NUMERIC else CATEGORICAL


def _host_role(col: str) -> str:
    if col == "ts":
        return IDENTIFIER
    return LABEL if col in LABEL_COLUMNS else NUMERIC


def _make(name: str, modality: str, columns: tuple[str, ...], constant: tuple[str, ...] = ()) -> Schema:
    role = _network_role if modality == "network" else _host_role
    return Schema(name, modality, columns, {c: role(c) for c in columns}, constant)


@cache
def all_schemas() -> dict[str, Schema]:
    """Every known layout, keyed by name."""
    net = _read_list("train_test_network.columns.txt")
    uri = net.index("http_uri")
    processed_net = ("ts",) + net[: uri + 1] + ("http_referrer",) + net[uri + 1:]
    win10 = _read_list("train_test_windows10.columns.txt")
    win10_constant = _read_list("train_test_windows10.constant_columns.txt")
    win7 = _read_list("train_test_windows7.columns.txt")
    schemas = [
        _make("train_test_network", "network", net),
        _make("processed_network", "network", processed_net),
        _make("train_test_windows10", "host", win10, win10_constant),
        _make("train_test_windows7", "host", win7),
        _make("processed_windows10", "host", ("ts",) + win10, win10_constant),
        _make("processed_windows7", "host", ("ts",) + win7),
    ]
    return {s.name: s for s in schemas}


def get_schema(name: str) -> Schema:
    schemas = all_schemas()
    if name not in schemas:
        raise KeyError(f"unknown schema {name!r}; known: {', '.join(schemas)}")
    return schemas[name]


def detect_schema(header: list[str], modality: str) -> tuple[Schema, list[str], list[str]]:
    """Pick the schema of ``modality`` that best matches a file header.

    Returns (schema, missing required columns, extra columns).
    """
    present = set(header)
    best = None
    for schema in all_schemas().values():
        if schema.modality != modality:
            continue
        missing = [c for c in schema.columns if c not in present]
        extra = [c for c in header if c not in schema.roles]
        key = (len(missing), len(extra))
        if best is None or key < best[0]:
            best = (key, schema, missing, extra)
    assert best is not None
    return best[1], best[2], best[3]
