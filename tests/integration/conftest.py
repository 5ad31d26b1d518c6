"""Fixtures for end-to-end tests: real lakes written by Python duckdb + ducklake (the external
writer), a real homer-node process on 127.0.0.1, real HTTP clients."""
import contextlib
import json
import os
import random
import re
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import duckdb
import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("HOMER_BUILD_DIR", ROOT / "build"))
BINARY = BUILD / "homer-node"
# What scripts/bootstrap.sh fetched (HOMER_DEPS_DIR, as for the scripts).
DEPS = Path(os.environ.get("HOMER_DEPS_DIR", ROOT / ".deps"))
EXTENSIONS = DEPS / "extensions"


_HANDED_OUT = set()


def _ephemeral_low():
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port_pair():
    """A port p with p+1 also free (Flight port and HTTP port), below the kernel's ephemeral range
    (a client connection of any test can take an ephemeral port between this check and the bind)
    and never handed out before in this run."""
    low = _ephemeral_low()
    for _ in range(500):
        port = random.randrange(10000, max(10002, low - 2))
        if {port, port + 1} & _HANDED_OUT:
            continue
        try:
            with socket.socket() as a, socket.socket() as b, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
                a.bind(("127.0.0.1", port))
                b.bind(("127.0.0.1", port + 1))
                u.bind(("127.0.0.1", port))  # HEP tests use p for UDP too
            _HANDED_OUT.update({port, port + 1})
            return port
        except OSError:
            continue
    raise RuntimeError("no free port pair")


def writer_connection():
    """A DuckDB connection that loads extensions only from the project's bundle."""
    return duckdb.connect(config={
        "extension_directory": str(EXTENSIONS),
        "autoinstall_known_extensions": "false",
        "autoload_known_extensions": "true",
    })


class Lake:
    """Volumes in a temporary folder, written by the real ducklake extension."""

    def __init__(self, root: Path):
        self.root = root
        self.volumes = []

    def volume(self, name, inline=False):
        catalog = self.root / f"homer_lake_{name}.sqlite"
        data = self.root / "data" / name
        data.mkdir(parents=True, exist_ok=True)
        vol = {"name": name, "type": "local", "catalog_type": "sqlite",
               "catalog_path": str(catalog), "path": str(data) + "/"}
        self.volumes.append(vol)
        return vol

    def writer(self, vol, alias="w"):
        con = writer_connection()
        inline = "" if vol.get("_inline") else ", DATA_INLINING_ROW_LIMIT 0"
        con.execute(f"ATTACH 'ducklake:sqlite:{vol['catalog_path']}' AS {alias} "
                    f"(DATA_PATH '{vol['path']}'{inline})")
        return con


def parse_metrics(text):
    """GET /metrics read by prometheus-client's own parser: ({(sample, sorted labels): value},
    {family: type})."""
    samples, types = {}, {}
    for family in text_string_to_metric_families(text):
        types[family.name] = family.type
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples, types


def metric_sum(samples, name, **labels):
    """The sum of the `name` series whose labels include `labels` (0 when there is none)."""
    want = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and want <= set(ls)) + 0.0


def proc_status_bytes(pid, key):
    """A /proc/<pid>/status memory figure (VmRSS, VmHWM, ...) in bytes."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return 0


def memory_growth_bound(nbytes, varied_work=False):
    """A bound on a node's memory growth, `nbytes` as the ordinary build holds it, for the build this
    run tests: ASan adds its quarantine of freed blocks (quarantine_size_mb, 256 MB unless
    ASAN_OPTIONS says). None where the sanitizer's own memory grows with the work itself, so that the
    check holds in the ordinary build only: TSan's shadow of all memory touched, and ASan's record of
    allocation stacks when the work runs many distinct code paths (`varied_work`: 24 catalog
    refreshes grew a node 10 MB each with it, 1.4 MB each with malloc_context_size=0)."""
    sanitizer = os.environ.get("HOMER_SANITIZE")
    if not sanitizer:
        return nbytes
    if sanitizer != "asan" or varied_work:
        return None
    m = re.search(r"quarantine_size_mb=(\d+)", os.environ.get("ASAN_OPTIONS", ""))
    return nbytes + (int(m.group(1)) if m else 256) * 2**20


@contextlib.contextmanager
def sampled_peak(read, every=0.02):
    """peak[0]: the largest value `read()` returned while the block ran (sampled every `every` s)."""
    peak = [read()]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], read())
            time.sleep(every)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        yield peak
    finally:
        done.set()
        sampler.join()


class Node:
    def __init__(self, proc, port, token, config_path, log_path):
        self.proc = proc
        self.port = port
        self.http = f"http://127.0.0.1:{port + 1}"
        self.token = token
        self.config_path = config_path
        self.log_path = log_path

    def headers(self):
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def post(self, path, body=None, **kw):
        headers = {**self.headers(), **kw.pop("headers", {})}
        return requests.post(self.http + path, json=body, headers=headers, timeout=kw.pop("timeout", 120), **kw)

    def get(self, path, **kw):
        headers = {**self.headers(), **kw.pop("headers", {})}
        return requests.get(self.http + path, headers=headers, timeout=kw.pop("timeout", 60), **kw)

    def query(self, sql):
        r = self.post("/api/v4/node/query", {"sql": sql})
        assert r.status_code == 200, r.text
        return r.json()

    def rows(self, sql):
        return self.query(sql)["data"]

    def log(self):
        return Path(self.log_path).read_text(errors="replace")

    def rss_bytes(self):
        return proc_status_bytes(self.proc.pid, "VmRSS")

    def queries_running(self):
        return self.get("/api/v4/node/stats").json()["queries_running"]

    def wait_until_idle(self, seconds=10):
        """True once no query runs in the node (cancelled ones included), False after `seconds`."""
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.queries_running() == 0:
                return True
            time.sleep(0.1)
        return self.queries_running() == 0

    def adbc(self, token=None):
        """An ADBC Flight SQL connection to flightsql_server with a bearer token (the node's by default)."""
        import adbc_driver_flightsql
        import adbc_driver_flightsql.dbapi as flightsql
        return flightsql.connect(f"grpc://127.0.0.1:{self.flightsql_port}", autocommit=True, db_kwargs={
            adbc_driver_flightsql.DatabaseOptions.AUTHORIZATION_HEADER.value:
                f"Bearer {self.token if token is None else token}"})

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def write_config(path, volumes, port, token="", host="127.0.0.1", flightsql=None, **ducklake):
    """`flightsql`: extra flightsql_server keys (e.g. {"enable": True, "port": N})."""
    cfg = {"node": {"enable": True,
                    "flight_server": {"host": host, "port": port, "auth_token": token},
                    "flightsql_server": {"catalog_refresh_interval_sec": ducklake.pop("refresh", 1),
                                         **(flightsql or {})},
                    "ducklake": {"lake_name": "homer_lake", "threads": 2, "memory_limit": "1GB",
                                 "volumes": volumes, **ducklake}}}
    Path(path).write_text(json.dumps(cfg, indent=2))
    return cfg


def node_environment():
    """The test's environment without HOMER_* config overrides a developer's shell may hold:
    each test states its whole config."""
    sections = ("HOMER_NODE_", "HOMER_INGEST_", "HOMER_STORAGE_", "HOMER_LOG_")
    return {k: v for k, v in os.environ.items() if not k.startswith(sections)}


def wait_for_port(port, deadline):
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def start_node(tmp_path, volumes, token="secret-token", host="127.0.0.1", env=None, flightsql=None, port=None,
               **ducklake):
    """`flightsql`: None leaves Flight SQL off; a dict enables it on a free port (node.flightsql_port)
    with those extra flightsql_server keys. `port`: the Flight port (a free pair by default)."""
    assert BINARY.exists(), f"build homer-node first ({BINARY})"
    port = port or free_port_pair()
    if flightsql is not None:
        flightsql = {"enable": True, "host": "127.0.0.1", "port": free_port_pair(), **flightsql}
    config_path = tmp_path / f"node-{port}.json"
    write_config(config_path, volumes, port, token=token, host=host, flightsql=flightsql, **ducklake)
    log_path = tmp_path / f"node-{port}.log"
    log = open(log_path, "w")
    proc = subprocess.Popen([str(BINARY), "--config", str(config_path)], stdout=log, stderr=subprocess.STDOUT,
                            env={**node_environment(), **(env or {})})
    node = Node(proc, port, token, config_path, log_path)
    if flightsql is not None:
        node.flightsql_port = flightsql["port"]
    # /health answers once Flight and Flight SQL listen (main.cc starts HTTP last); checked anyway.
    return wait_until_up(node, lambda deadline: wait_for_port(port, deadline) and (
        flightsql is None or wait_for_port(node.flightsql_port, deadline)))


def wait_until_up(node, ready=lambda deadline: True, seconds=60):
    """`node` once its /health answers and `ready(deadline)` holds; stopped, and an error with its
    log, when it exits or does not come up in time."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if node.proc.poll() is not None:
            raise RuntimeError(f"homer-node exited with {node.proc.returncode}:\n{node.log()}")
        try:
            if requests.get(node.http + "/health", timeout=1).status_code == 200:
                if ready(deadline):
                    return node
                break
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    node.stop()
    raise RuntimeError(f"homer-node did not come up:\n{node.log()}")


@pytest.fixture
def lake(tmp_path):
    return Lake(tmp_path)


@pytest.fixture
def node_factory(tmp_path):
    nodes = []

    def make(volumes, **kw):
        n = start_node(tmp_path, volumes, **kw)
        nodes.append(n)
        return n

    yield make
    for n in nodes:
        n.stop()


@pytest.fixture
def hot_cold(lake):
    """Two volumes holding hep_proto_1_call rows: 3 hot rows, 2 cold rows, plus a cold-only table."""
    hot, cold = lake.volume("hot"), lake.volume("cold")
    ddl = ("CREATE TABLE {a}.hep_proto_1_call (uuid VARCHAR, date DATE, timestamp TIMESTAMP, session_id VARCHAR, "
           "src_port UINTEGER, method VARCHAR, data_extra JSON)")
    w = lake.writer(hot)
    w.execute(ddl.format(a="w"))
    w.execute("INSERT INTO w.hep_proto_1_call VALUES "
              "('h1', '2026-11-25', '2026-11-25 10:00:00', 's1', 5060, 'INVITE', '{\"a\": 1}'),"
              "('h2', '2026-11-25', '2026-11-25 10:00:01', 's1', 5060, '200', NULL),"
              "('h3', '2026-11-26', '2026-11-26 09:00:00.123456', 's2', 4294967295, 'BYE', '[1, 2]')")
    w.close()
    w = lake.writer(cold)
    w.execute(ddl.format(a="w"))
    w.execute("INSERT INTO w.hep_proto_1_call VALUES "
              "('c1', '2026-11-01', '2026-11-01 00:00:00', 's9', 5061, 'INVITE', NULL),"
              "('c2', '2026-11-01', '2026-11-01 00:00:02', 's9', 5061, 'CANCEL', NULL)")
    w.execute("CREATE TABLE w.hep_proto_100_default (uuid VARCHAR, timestamp TIMESTAMP, payload VARCHAR)")
    w.execute("INSERT INTO w.hep_proto_100_default VALUES ('l1', '2026-10-31 23:59:59', 'log line')")
    w.close()
    return lake
