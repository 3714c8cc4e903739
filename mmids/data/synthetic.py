"""The embedded default: a generated stand-in for TON_IoT with the real schemas and the real dirt.

Premise (what the stand-in is built to show, and all it can show):
each event yields one network flow row and one Windows 10 host snapshot row with the same ``ts``.
Every class is drawn from a latent *network profile* and a latent *host profile*. Network profiles
separate the classes into groups {normal, password}, {dos, ddos}, {injection, xss}, {scanning},
{mitm}; host profiles separate them into different groups {normal, scanning, mitm},
{password, injection}, {dos}, {ddos, xss}. Within a group the classes differ only by a small offset
that is smaller than the per-row noise, so a network-only or host-only model plateaus (partial
overlap), while the pair of profiles identifies every class and a fused model clearly wins.
``difficulty`` (0 = default, 1 = hard) widens the noise and shrinks the within-group offsets.

Numbers measured on the stand-in say nothing about real TON_IoT data.

Dirt copied from the real files: ``-`` for absent strings, ``0`` for absent DNS/HTTP numbers,
``http_trans_depth`` as a string column, heavy-tailed byte counts (max near 3.9e9), exact duplicate
rows, blank ``" "`` cells in 69 numeric host columns, the 19 constant Windows 10 columns and a rare
``mitm`` class.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mmids.data.schema import get_schema

CLASSES = ("normal", "ddos", "dos", "injection", "mitm", "password", "scanning", "xss")
CLASS_SHARE = {
    "normal": 0.40, "ddos": 0.13, "password": 0.11, "dos": 0.08, "scanning": 0.08,
    "xss": 0.08, "injection": 0.07, "mitm": 0.006,
}
NETWORK_GROUP = {"normal": 0, "password": 0, "dos": 1, "ddos": 1, "injection": 2, "xss": 2,
                 "scanning": 3, "mitm": 4}
HOST_GROUP = {"normal": 0, "scanning": 0, "mitm": 0, "password": 1, "injection": 1, "dos": 2,
              "ddos": 3, "xss": 3}
# Latent network factors: volume, packet rate, duration, http activity, dns activity, rejection.
NETWORK_GROUP_MEANS = np.array([
    [0.5, 0.0, 0.5, 0.3, 1.0, -1.0],
    [-1.0, 1.5, -1.5, -1.0, -1.0, 1.0],
    [1.0, 0.5, 0.0, 2.0, -1.0, -1.0],
    [-2.0, -1.5, -1.5, -1.5, -1.5, 2.0],
    [0.0, 0.5, 1.5, -1.5, 2.0, 0.0],
])
# Latent host factors: cpu, disk io, memory, host network io, privileged/auth, process activity.
HOST_GROUP_MEANS = np.array([
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.5, 1.5, 0.5, -0.5, 2.0, 1.0],
    [2.0, -1.0, 1.0, 2.0, -0.5, -0.5],
    [1.0, 0.5, 2.0, 1.0, -1.0, 2.0],
])
GROUP_SCALE = 1.5
LATENT_NOISE = 0.55
WITHIN_OFFSET = 0.55
WORLD_SEED = 20190425  # fixes the data-generating process; the user's seed only draws samples
DUPLICATE_SHARE = 0.03
BLANK_CELL_SHARE = 0.004
BLANK_COLUMNS = 69
APRIL_2019 = 1554076800  # 2019-04-01T00:00:00Z
DAY = 86400


@dataclass
class SyntheticData:
    """Raw (dirty) frames of co-occurring events; row i of both frames is event i."""

    network: pd.DataFrame  # processed_network layout (46 columns, with ts and http_referrer)
    host: pd.DataFrame  # processed_windows10 layout (127 columns, with ts)
    seed: int
    difficulty: float

    @property
    def train_test_network(self) -> pd.DataFrame:
        return self.network.drop(columns=["ts", "http_referrer"])

    @property
    def train_test_host(self) -> pd.DataFrame:
        return self.host.drop(columns=["ts"])

    @property
    def identity(self) -> str:
        return f"mmids synthetic stand-in (rows={len(self.network)}, seed={self.seed}, difficulty={self.difficulty})"


def _class_offsets(world: np.random.Generator, dim: int) -> dict[str, np.ndarray]:
    out = {}
    for c in CLASSES:
        v = world.normal(size=dim)
        out[c] = v / np.linalg.norm(v)
    return out


def _pick(rng: np.random.Generator, logits: np.ndarray, options: list[str]) -> np.ndarray:
    """Sample one option per row from softmax(logits); logits [n, len(options)]."""
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    u = rng.random((len(p), 1))
    idx = (p.cumsum(axis=1) < u).sum(axis=1).clip(max=len(options) - 1)
    return np.asarray(options, dtype=object)[idx]


def _network_rows(z: np.ndarray, types: np.ndarray, ts: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    n = len(z)
    vol, rate, dur, http, dns, rej = z.T
    attack = types != "normal"
    service = _pick(rng, 2.5 * np.stack([0.5 * rej, dns, http, 0.3 * vol, -1 + 0.0 * vol, -0.5 + 0.3 * rate], 1),
                    ["-", "dns", "http", "ssl", "ftp", "ssh"])
    proto = np.where(service == "dns", "udp", np.where(rng.random(n) < 0.03, "icmp", "tcp")).astype(object)
    conn_state = _pick(rng, 2.0 * np.stack([1 - rej, rej, 1.2 * rej, 0.3 * rate, 0 * rej, -0.5 + 0 * rej], 1),
                       ["SF", "S0", "REJ", "OTH", "RSTR", "SH"])
    noise = lambda s=0.3: rng.normal(scale=s, size=n)  # noqa: E731
    duration = np.exp(-4.0 + 2.0 * dur + noise(0.5))
    src_bytes = np.floor(np.exp(5.0 + 2.0 * vol + noise(0.6)))
    tail = rng.random(n) < 0.002
    src_bytes[tail] *= rng.pareto(0.7, tail.sum()) * 1e6 + 1
    src_bytes = np.minimum(src_bytes, 3.9e9)
    dst_bytes = np.floor(np.exp(5.5 + 1.5 * vol + 0.5 * http + noise(0.6)))
    closed = np.isin(conn_state, ["S0", "REJ"])
    src_bytes[closed] = 0
    dst_bytes[closed] = 0
    src_pkts = np.maximum(1, np.round(np.exp(1.0 + 1.2 * rate + 0.3 * vol + noise(0.4))))
    dst_pkts = np.where(closed, np.round(rng.random(n)), np.round(np.exp(0.8 + 1.0 * rate + noise(0.4))))
    is_dns, is_http, is_ssl = service == "dns", service == "http", service == "ssl"
    dash = np.full(n, "-", dtype=object)

    def maybe(mask: np.ndarray, values) -> np.ndarray:
        return np.where(mask, values, dash)

    domains = np.array(["www.google.com", "time.windows.com", "api.iot.local", "update.vendor.io",
                        "xyz.badhost.ru", "wpad"], dtype=object)
    dom_idx = np.clip((dns + 1.5 + noise(0.7)).astype(int), 0, len(domains) - 1)
    uris = np.array(["/", "/index.php", "/login.php", "/dvwa/vulnerabilities/sqli/?id=1%27",
                     "/search?q=%3Cscript%3E", "/api/v1/status"], dtype=object)
    uri_idx = np.clip((http + 1.0 + 0.8 * vol + noise(0.8)).astype(int), 0, len(uris) - 1)
    http_method = maybe(is_http, np.where(vol + noise(0.5) > 0.8, "POST", "GET"))
    frame = {
        "ts": ts,
        "src_ip": np.where(attack, "192.168.1.3" + (rng.integers(0, 9, n)).astype(str),
                           "192.168.1." + rng.integers(100, 250, n).astype(str)).astype(object),
        "src_port": rng.integers(1024, 65535, n),
        "dst_ip": ("192.168.1." + rng.integers(1, 250, n).astype(str)).astype(object),
        "dst_port": np.where(is_dns, 53, np.where(is_http, 80, np.where(is_ssl, 443, rng.integers(1, 10000, n)))),
        "proto": proto,
        "service": service,
        "duration": np.round(duration, 6),
        "src_bytes": src_bytes.astype(np.int64),
        "dst_bytes": dst_bytes.astype(np.int64),
        "conn_state": conn_state,
        "missed_bytes": np.where(rng.random(n) < 0.01, rng.integers(1, 5000, n), 0),
        "src_pkts": src_pkts.astype(np.int64),
        "src_ip_bytes": (src_bytes + 40 * src_pkts).astype(np.int64),
        "dst_pkts": dst_pkts.astype(np.int64),
        "dst_ip_bytes": (dst_bytes + 40 * dst_pkts).astype(np.int64),
        "dns_query": maybe(is_dns, domains[dom_idx]),
        "dns_qclass": np.where(is_dns, 1, 0),
        "dns_qtype": np.where(is_dns, np.where(dns + noise(0.5) > 1.5, 28, 1), 0),
        "dns_rcode": np.where(is_dns, np.where(rej + noise(0.5) > 1.0, 3, 0), 0),
        "dns_AA": maybe(is_dns, "F"),
        "dns_RD": maybe(is_dns, np.where(noise() > -0.3, "T", "F")),
        "dns_RA": maybe(is_dns, np.where(dns + noise(0.6) > 0.8, "T", "F")),
        "dns_rejected": maybe(is_dns, np.where(rej + noise(0.6) > 1.2, "T", "F")),
        "ssl_version": maybe(is_ssl, np.where(noise() > 0, "TLSv12", "TLSv13")),
        "ssl_cipher": maybe(is_ssl, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
        "ssl_resumed": maybe(is_ssl, np.where(noise() > 0.2, "T", "F")),
        "ssl_established": maybe(is_ssl, "T"),
        "ssl_subject": maybe(is_ssl, "CN=*.vendor.io"),
        "ssl_issuer": maybe(is_ssl, "CN=Vendor CA"),
        "http_trans_depth": maybe(is_http, np.clip(np.round(1 + rate + noise(0.5)), 1, 9).astype(int).astype(str)),
        "http_method": http_method,
        "http_uri": maybe(is_http, uris[uri_idx]),
        "http_referrer": dash.copy(),
        "http_version": maybe(is_http, "1.1"),
        "http_request_body_len": np.where(http_method == "POST", np.floor(np.exp(4 + vol + noise(0.5))), 0).astype(np.int64),
        "http_response_body_len": np.where(is_http, np.floor(np.exp(6 + 0.5 * http + noise(0.6))), 0).astype(np.int64),
        "http_status_code": np.where(is_http, np.where(http + noise(0.8) > 2.2, 500, 200), 0),
        "http_user_agent": maybe(is_http, np.where(attack & (rng.random(n) < 0.5), "python-requests/2.21", "Mozilla/5.0")),
        "http_orig_mime_types": maybe(http_method == "POST", "application/x-www-form-urlencoded"),
        "http_resp_mime_types": maybe(is_http, "text/html"),
        "weird_name": maybe((proto == "udp") & (dur + noise(0.5) > 1.8), "DNS_RR_unknown_type"),
        "weird_addl": dash.copy(),
        "weird_notice": maybe((proto == "udp") & (dur + noise(0.5) > 1.8), "F"),
        "label": attack.astype(np.int64),
        "type": types,
    }
    columns = get_schema("processed_network").columns
    return pd.DataFrame(frame)[list(columns)]


def _host_rows(z: np.ndarray, types: np.ndarray, ts: np.ndarray, rng: np.random.Generator,
               world: np.random.Generator) -> pd.DataFrame:
    schema = get_schema("processed_windows10")
    features = [c for c in schema.columns if schema.roles[c] == "numeric"]
    n = len(z)
    family_factors = {"Processor": (0, 4), "Process_": (5, 2), "Network_I": (3,), "Memory": (2, 5),
                      "LogicalDisk": (1,)}
    frame: dict[str, np.ndarray] = {"ts": ts}
    for col in features:
        if col in schema.constant:
            frame[col] = np.full(n, float(world.integers(0, 5)) if "Priority" not in col else 8.0)
            continue
        weights = world.normal(scale=0.15, size=z.shape[1])
        for prefix, factors in family_factors.items():
            if col.startswith(prefix):
                weights[list(factors)] += world.choice([-1, 1], size=len(factors)) * world.uniform(0.6, 1.2, len(factors))
        signal = z @ weights + rng.normal(scale=0.25, size=n)
        if "pct_" in col:
            frame[col] = np.round(100.0 / (1.0 + np.exp(-signal)), 6)
        else:
            base = 10 ** world.uniform(0, 7)
            frame[col] = np.round(base * np.exp(0.8 * signal), 4)
    frame["label"] = (types != "normal").astype(np.int64)
    frame["type"] = types
    out = pd.DataFrame(frame)[list(schema.columns)]
    candidates = [c for c in features if c not in schema.constant]
    blank_cols = world.choice(candidates, size=BLANK_COLUMNS, replace=False)
    for col in blank_cols:
        values = out[col].astype(object)
        values[rng.random(n) < BLANK_CELL_SHARE] = " "
        out[col] = values
    return out


def _event_times(types: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Normal traffic spans April 2019; each attack class sits in its own half-day window 23-27 April."""
    ts = APRIL_2019 + rng.integers(0, 30 * DAY, len(types))
    for i, c in enumerate(c for c in CLASSES if c != "normal"):
        idx = np.flatnonzero(types == c)
        start = APRIL_2019 + (22 + i % 5) * DAY + (i // 5) * DAY // 2
        ts[idx] = start + rng.integers(0, DAY // 2, len(idx))
    return ts


def class_counts(rows: int) -> dict[str, int]:
    """Events per class for ``rows`` events (shares of CLASS_SHARE, at least 2 per class)."""
    total = sum(CLASS_SHARE.values())
    counts = {c: max(2, int(round(rows * CLASS_SHARE[c] / total))) for c in CLASSES}
    counts["normal"] += rows - sum(counts.values())
    return counts


def generate(rows: int = 20_000, seed: int = 0, difficulty: float = 0.0) -> SyntheticData:
    """Generate ``rows`` co-occurring events (network flow + host snapshot), deterministic for ``seed``."""
    if rows < 8 * 4:
        raise ValueError(f"rows must be at least 32 (got {rows})")
    if not 0.0 <= difficulty <= 1.0:
        raise ValueError(f"difficulty must be in [0, 1] (got {difficulty})")
    world = np.random.default_rng(WORLD_SEED)
    net_offsets, host_offsets = _class_offsets(world, 6), _class_offsets(world, 6)
    rng = np.random.default_rng(seed)
    n_unique = rows - int(rows * DUPLICATE_SHARE)
    counts = class_counts(n_unique)
    types = np.concatenate([np.full(k, c, dtype=object) for c, k in counts.items()])
    rng.shuffle(types)
    noise = LATENT_NOISE * (1.0 + difficulty)
    within = WITHIN_OFFSET * (1.0 - 0.6 * difficulty)
    z_net = np.stack([GROUP_SCALE * NETWORK_GROUP_MEANS[NETWORK_GROUP[t]] + within * net_offsets[t] for t in types])
    z_host = np.stack([GROUP_SCALE * HOST_GROUP_MEANS[HOST_GROUP[t]] + within * host_offsets[t] for t in types])
    z_net += rng.normal(scale=noise, size=z_net.shape)
    z_host += rng.normal(scale=noise, size=z_host.shape)
    ts = _event_times(types, rng)
    network = _network_rows(z_net, types, ts, rng)
    host = _host_rows(z_host, types, ts, rng, world)
    dup = rng.integers(0, n_unique, rows - n_unique)  # exact duplicate events, as in the real files
    order = np.argsort(np.concatenate([ts, ts[dup]]), kind="stable")
    network = pd.concat([network, network.iloc[dup]], ignore_index=True).iloc[order].reset_index(drop=True)
    host = pd.concat([host, host.iloc[dup]], ignore_index=True).iloc[order].reset_index(drop=True)
    return SyntheticData(network, host, seed, difficulty)
