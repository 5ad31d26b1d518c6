"""A homer-node fleet on one machine: one DuckLake whose catalog is a private PostgreSQL 15
cluster and whose data is on an S3 server (moto), two writers (all-in-one homer-node: ingest +
storage + node, two "capture sites" committing to the one lake), N node-only homer-node processes
on the same catalog, and HAProxy (examples/fleet/haproxy.cfg.in) in front of the nodes for HTTP,
Flight and Flight SQL. Used by tests/integration/test_fleet.py and examples/fleet/run.sh.

    with Fleet(root) as fleet:      # root: an empty folder for configs, logs, journals
        fleet.http_url, fleet.flight_url, fleet.flightsql_url, fleet.token
        fleet.nodes[0].kill(); fleet.nodes[0].start()
"""
import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import requests

from conftest import BINARY, BUILD, ROOT, free_port_pair, node_environment, wait_for_port
from postgres_server import PostgresServer
from s3_server import REGION, S3Server

HAPROXY = Path(os.environ.get("HOMER_HAPROXY", "/usr/sbin/haproxy"))
TEMPLATE = ROOT / "examples" / "fleet" / "haproxy.cfg.in"
HEP_SENDER = BUILD / "bench" / "hep_sender"
BUCKET = "homer"
DATA_PATH = f"s3://{BUCKET}/lake/"
TABLES = ("hep_proto_1_call", "hep_proto_1_registration")  # what hep_sender's dialogs fill


class Process:
    """One homer-node process: its config file, log, ports; start / stop (SIGTERM) / kill (-9)."""

    def __init__(self, root: Path, name, config, env, token):
        self.root, self.name, self.config, self.env, self.token = root, name, config, env, token
        self.port = config["node"]["flight_server"]["port"]
        self.http = f"http://127.0.0.1:{self.port + 1}"
        self.config_path = root / f"{name}.json"
        self.config_path.write_text(json.dumps(config, indent=2))
        self.log_path = root / f"{name}.log"
        self.proc = None

    def headers(self):
        return {"Authorization": f"Bearer {self.token}"}

    def check_config(self):
        """build/homer-node --check-config on this process's file: every key as the README documents it."""
        done = subprocess.run([str(BINARY), "--check-config", str(self.config_path)], capture_output=True, text=True,
                              timeout=60, env={**node_environment(), **self.env})
        if done.returncode != 0:
            raise RuntimeError(f"{self.name}: --check-config refused {self.config_path}:\n{done.stdout}{done.stderr}")

    def start(self, seconds=90):
        if self.proc is None:
            self.check_config()
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen([str(BINARY), "--config", str(self.config_path)], stdout=log,
                                     stderr=subprocess.STDOUT, env={**node_environment(), **self.env})
        log.close()
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.log()[-4000:]}")
            try:
                if requests.get(self.http + "/health", timeout=1).status_code == 200 and self._ready(deadline):
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not come up:\n{self.log()[-4000:]}")

    def _ready(self, deadline):
        fsql = self.config["node"].get("flightsql_server", {})
        return not fsql.get("enable") or wait_for_port(fsql["port"], deadline)

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stats(self):
        return requests.get(self.http + "/api/v4/node/stats", headers=self.headers(), timeout=30).json()

    def query(self, sql):
        r = requests.post(self.http + "/api/v4/node/query", json={"sql": sql}, headers=self.headers(), timeout=120)
        r.raise_for_status()
        return r.json()["data"]

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self):
        """kill -9."""
        if self.running():
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self, timeout=60):
        if self.running():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Writer(Process):
    """An all-in-one homer-node: HEP in on hep_port (UDP + TCP) and hep_port + 1 (HTTP), its
    writer committing to the shared PostgreSQL catalog, data on S3."""

    def __init__(self, root, name, pg, s3, token, flush_interval_sec=5):
        port, self.hep_port = free_port_pair(), free_port_pair()
        work = root / name
        work.mkdir(parents=True, exist_ok=True)
        config = {
            "node": {"enable": True,
                     "flight_server": {"host": "127.0.0.1", "port": port, "auth_token": token},
                     "ducklake": {"lake_name": "homer_lake", "threads": 1, "memory_limit": "1GB",
                                  "temp_directory": str(work / "spill")}},
            "ingest": {"enable": True,
                       "udp": {"enable": True, "host": "127.0.0.1", "port": self.hep_port},
                       "tcp": {"enable": True, "host": "127.0.0.1", "port": self.hep_port},
                       "http": {"enable": True, "host": "127.0.0.1", "port": self.hep_port + 1}},
            "storage": {"enable": True,
                        "ducklake": {"catalog_type": "postgres", "catalog_dsn": pg.dsn, "data_path": DATA_PATH,
                                     "lake_name": "homer_lake", "flush_interval_sec": flush_interval_sec,
                                     "journal_path": str(work / "journal"),
                                     "s3": {"region": REGION, "access_key_id": s3.access_key,
                                            "secret_access_key": s3.secret_key,
                                            "endpoint": f"127.0.0.1:{s3.port}", "use_ssl": False,
                                            "url_style": "path"}}},
        }
        super().__init__(root, name, config, {"HOMER_STORAGE_DUCKLAKE_CATALOG_PASSWORD": pg.password}, token)

    def _ready(self, deadline):
        return wait_for_port(self.hep_port, deadline) and wait_for_port(self.hep_port + 1, deadline)

    def capture(self):
        return self.stats()["capture"]

    def send(self, seconds, rate, prefix, tcp=True):
        """bench/hep_sender against this writer (a Popen; it prints what it sent as JSON)."""
        args = [str(HEP_SENDER), "--host", "127.0.0.1", "--port", str(self.hep_port), "--seconds", str(seconds),
                "--rate", str(rate), "--prefix", prefix] + (["--tcp"] if tcp else [])
        return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def wait_flushed(self, seconds=60):
        """Once everything received was decoded and flushed (nothing buffered, nothing queued):
        rows flushed per table."""
        deadline = time.time() + seconds
        last = None
        while time.time() < deadline:
            c = self.capture()
            ingest, writer = c["ingest"], c["writer"]
            settled = (ingest["queue_depth"] == 0 and ingest["decoded"] + ingest["dropped"] == ingest["received"]
                       and writer["buffered_rows"] == 0 and writer["appended_rows"] == writer["flushed_rows"])
            if settled and last == writer["flushed_rows"]:
                return {t: v["flushed_rows"] for t, v in writer["tables"].items()}
            last = writer["flushed_rows"] if settled else None
            time.sleep(0.5)
        raise AssertionError(f"{self.name} did not flush everything in {seconds}s: {self.capture()}")


class NodeProcess(Process):
    """A node-only homer-node: one volume on the shared PostgreSQL catalog (data on S3), HTTP on
    port + 1, Flight SQL on flightsql_port."""

    def __init__(self, root, name, pg, s3, token, threads=2):
        port, self.flightsql_port = free_port_pair(), free_port_pair()
        work = root / name
        work.mkdir(parents=True, exist_ok=True)
        volume = {"name": "hot", "type": "s3", "catalog_type": "postgres", "catalog_dsn": pg.dsn, "path": DATA_PATH,
                  "s3_region": REGION, "s3_access_key_id": s3.access_key, "s3_secret_access_key": s3.secret_key,
                  "s3_endpoint": f"http://127.0.0.1:{s3.port}", "s3_use_ssl": False, "s3_url_style": "path"}
        config = {"node": {"enable": True,
                           "flight_server": {"host": "127.0.0.1", "port": port, "auth_token": token},
                           "flightsql_server": {"enable": True, "host": "127.0.0.1", "port": self.flightsql_port,
                                                "auth_token": token, "catalog_refresh_interval_sec": 5},
                           "ducklake": {"lake_name": "homer_lake", "threads": threads, "memory_limit": "1GB",
                                        "temp_directory": str(work / "spill"), "volumes": [volume]}}}
        super().__init__(root, name, config, {"HOMER_NODE_DUCKLAKE_VOLUMES_0_CATALOG_PASSWORD": pg.password}, token)

    def cpu_seconds(self):
        """utime + stime of the process so far (from /proc)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def render_haproxy(nodes, run_dir, host="127.0.0.1", http_port=50062, flight_port=50061, flightsql_port=32010):
    """HAProxy's configuration for `nodes` (objects with .name, .port, .flightsql_port)."""
    text = TEMPLATE.read_text().format(run_dir=run_dir, host=host, http_port=http_port, flight_port=flight_port,
                                       flightsql_port=flightsql_port)
    lines = {
        "@HTTP_SERVERS@": [f"server {n.name} 127.0.0.1:{n.port + 1} check" for n in nodes],
        # gRPC to the node over h2c; the health check goes to its HTTP port, in HTTP/1.1.
        "@FLIGHT_SERVERS@": [f"server {n.name} 127.0.0.1:{n.port} proto h2 check port {n.port + 1} check-proto h1"
                             for n in nodes],
        "@FLIGHTSQL_SERVERS@": [f"server {n.name} 127.0.0.1:{n.flightsql_port} proto h2 check port {n.port + 1} "
                                "check-proto h1" for n in nodes],
    }
    for marker, servers in lines.items():
        text = text.replace(marker, "\n    ".join(servers))
    return text


class HAProxy:
    def __init__(self, root: Path, nodes, http_port=None, flight_port=None, flightsql_port=None):
        self.root = root
        self.http_port = http_port or free_port_pair()
        self.flight_port = flight_port or free_port_pair()
        self.flightsql_port = flightsql_port or free_port_pair()
        self.config_path = root / "haproxy.cfg"
        self.config_path.write_text(render_haproxy(nodes, root, http_port=self.http_port, flight_port=self.flight_port,
                                                   flightsql_port=self.flightsql_port))
        self.socket = root / "haproxy.sock"
        self.log_path = root / "haproxy.log"
        self.proc = None

    def start(self, seconds=20):
        check = subprocess.run([str(HAPROXY), "-c", "-f", str(self.config_path)], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"haproxy -c: {check.stdout}{check.stderr}")
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen([str(HAPROXY), "-db", "-f", str(self.config_path)], stdout=log,
                                     stderr=subprocess.STDOUT)
        log.close()
        deadline = time.time() + seconds
        for port in (self.http_port, self.flight_port, self.flightsql_port):
            if not wait_for_port(port, deadline):
                self.stop()
                raise RuntimeError(f"haproxy did not listen on {port}:\n{self.log_path.read_text()}")
        return self

    def command(self, cmd):
        """A command on HAProxy's stats socket ("show stat", "show servers state", ...)."""
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(str(self.socket))
            s.sendall(cmd.encode() + b"\n")
            out = b""
            while chunk := s.recv(65536):
                out += chunk
        return out.decode()

    def servers(self, backend):
        """{server: row of `show stat`} for one backend (status, stot = sessions served, ...)."""
        lines = self.command("show stat").splitlines()
        header = lines[0].lstrip("# ").split(",")
        rows = [dict(zip(header, line.split(","))) for line in lines[1:] if line]
        return {r["svname"]: r for r in rows if r["pxname"] == backend and r["svname"] not in ("FRONTEND", "BACKEND")}

    def wait_status(self, server, status, backends=("nodes_http", "nodes_flight", "nodes_flightsql"), seconds=30):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if all(self.servers(b)[server]["status"].startswith(status) for b in backends):
                return True
            time.sleep(0.2)
        return False

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Fleet:
    """PostgreSQL, S3, `writers` writers, `nodes` nodes and HAProxy, started in that order and
    stopped in reverse (also when starting fails half way)."""

    def __init__(self, root: Path, writers=2, nodes=3, token="fleet-token", flush_interval_sec=5,
                 http_port=None, flight_port=None, flightsql_port=None, node_threads=2):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.token = token
        self.n_writers, self.n_nodes, self.flush_interval_sec = writers, nodes, flush_interval_sec
        self.ports = (http_port, flight_port, flightsql_port)
        self.node_threads = node_threads
        self.pg = self.s3 = self.haproxy = None
        self.writers, self.nodes = [], []

    def start(self):
        try:
            self.pg = PostgresServer().start()
            self.s3 = S3Server(self.root)
            self.s3.create_bucket(BUCKET)
            # One after the other: the first writer creates DuckLake's tables in the catalog.
            for i in range(self.n_writers):
                w = Writer(self.root, f"writer{i + 1}", self.pg, self.s3, self.token, self.flush_interval_sec)
                self.writers.append(w)
                w.start()
            for i in range(self.n_nodes):
                n = NodeProcess(self.root, f"node{i + 1}", self.pg, self.s3, self.token, self.node_threads)
                self.nodes.append(n)
                n.start()
            self.haproxy = HAProxy(self.root, self.nodes, *self.ports)
            self.haproxy.start()
            for n in self.nodes:
                if not self.haproxy.wait_status(n.name, "UP"):
                    raise RuntimeError(f"haproxy does not see {n.name} up: {self.haproxy.command('show stat')}")
            return self
        except BaseException:
            self.stop()
            raise

    @property
    def http_url(self):
        return f"http://127.0.0.1:{self.haproxy.http_port}"

    @property
    def flight_url(self):
        return f"grpc://127.0.0.1:{self.haproxy.flight_port}"

    @property
    def flightsql_url(self):
        return f"grpc://127.0.0.1:{self.haproxy.flightsql_port}"

    def stop(self):
        for p in [self.haproxy, *self.nodes, *self.writers]:
            if p is not None:
                try:
                    p.stop()
                except Exception:  # noqa: BLE001 - stop the rest regardless
                    pass
        if self.s3 is not None:
            self.s3.stop()
        if self.pg is not None:
            self.pg.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
