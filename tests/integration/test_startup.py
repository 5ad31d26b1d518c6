"""Config validation, attach failures and token rules, on the real binary."""
import json
import socket
import stat
import subprocess
import time

import pyarrow.flight as flight
import requests

from conftest import BINARY, node_environment, free_port_pair, write_config
from test_metrics import scrape


def run(*args, env=None, timeout=60):
    return subprocess.run([str(BINARY), *args], capture_output=True, text=True, timeout=timeout,
                          env={**node_environment(), **(env or {})})


def test_check_config_names_the_key(tmp_path):
    cfg = tmp_path / "bad.json"
    cfg.write_text(json.dumps({"node": {"flight_server": {"port": 99999},
                                        "ducklake": {"volumes": [{"name": "hot", "type": "ftp"},
                                                                 {"name": "hot", "catalog_path": "/x"}],
                                                     "extra": 1}}}))
    r = run("--check-config", str(cfg))
    assert r.returncode == 1
    for text in ["$.node.flight_server.port", "$.node.ducklake.volumes[0].type: unknown type 'ftp'",
                 "$.node.ducklake.volumes[0].catalog_path: required", "duplicate volume name 'hot'",
                 "$.node.ducklake.extra: unknown key"]:
        assert text in r.stderr, r.stderr
    # --config refuses to start with the same report.
    r = run("--config", str(cfg))
    assert r.returncode == 1 and "$.node.flight_server.port" in r.stderr


def test_check_config_accepts_the_examples():
    root = BINARY.parents[1]
    for example in sorted((root / "examples").glob("*.json")):
        r = run("--check-config", str(example))
        assert r.returncode == 0, (example, r.stderr)


def test_environment_override_is_validated(tmp_path, lake):
    vol = lake.volume("hot")
    cfg = tmp_path / "c.json"
    write_config(cfg, [vol], 50051)
    r = run("--check-config", str(cfg), env={"HOMER_NODE_FLIGHT_SERVER_PORT": "port"})
    assert r.returncode == 1 and "HOMER_NODE_FLIGHT_SERVER_PORT: must be an integer" in r.stderr


def test_failed_volume_is_skipped_and_reported(hot_cold, node_factory):
    vols = hot_cold.volumes + [{"name": "lost", "catalog_path": str(hot_cold.root / "lost.sqlite"),
                                "path": str(hot_cold.root / "lost") + "/"}]
    node = node_factory(vols)
    assert "volume 'lost'" in node.log() and "does not exist" in node.log()
    stats = node.get("/api/v4/node/stats").json()
    lost = [v for v in stats["volume_status"] if v["name"] == "lost"][0]
    assert lost["attached"] is False and "does not exist" in lost["error"]
    # Merged queries say the volume is missing rather than answer without it (test_missing_volume.py).
    r = node.post("/api/v4/node/query", {"sql": "SELECT count(*) FROM homer_lake.main.hep_proto_1_call"})
    assert r.status_code == 503 and "volume 'lost' is not attached" in r.json()["error"]
    assert node.rows("SELECT count(*) FROM homer_lake.main.hep_proto_1_call WHERE storage_volume <> 'lost'") == [[5]]


def test_no_volume_refuses_to_start(tmp_path):
    port = free_port_pair()
    cfg = tmp_path / "c.json"
    write_config(cfg, [{"name": "hot", "catalog_path": str(tmp_path / "none.sqlite")}], port)
    r = run("--config", str(cfg))
    assert r.returncode == 1
    assert "no volume could be attached" in r.stderr and "none.sqlite" in r.stderr


def test_data_path_mismatch_names_the_fix(hot_cold, tmp_path):
    vol = dict(hot_cold.volumes[0], path=str(tmp_path / "moved") + "/")
    port = free_port_pair()
    cfg = tmp_path / "c.json"
    write_config(cfg, [vol], port)
    r = run("--config", str(cfg))
    assert r.returncode == 1
    assert "volume 'hot'" in r.stderr and "override_data_path" in r.stderr, r.stderr


def test_non_loopback_bind_without_token_uses_a_token_file(hot_cold, node_factory):
    node = node_factory(hot_cold.volumes, token="", host="0.0.0.0")
    token_file = hot_cold.root / ".homer-node-token"
    assert token_file.exists()
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    token = token_file.read_text().strip()
    assert len(token) >= 43
    assert str(token_file) in node.log()
    assert token not in node.log()
    r = requests.post(node.http + "/api/v4/node/query", json={"sql": "SELECT 1"}, timeout=10)
    assert r.status_code == 401
    r = requests.post(node.http + "/api/v4/node/query", json={"sql": "SELECT 1"},
                      headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert r.status_code == 200


def test_loopback_without_token_is_open(hot_cold, node_factory):
    node = node_factory(hot_cold.volumes, token="")
    r = requests.post(node.http + "/api/v4/node/query", json={"sql": "SELECT 1"}, timeout=10)
    assert r.status_code == 200


def test_health_answers_only_once_every_surface_listens(hot_cold, tmp_path):
    """Load balancers route Flight and Flight SQL by HTTP's /health: once the HTTP port listens, both
    Flight ports already accept (polled without pause: starting HTTP first left a window of a few ms)."""
    for attempt in range(3):
        port, fsql_port = free_port_pair(), free_port_pair()
        config = tmp_path / f"health-{attempt}.json"
        write_config(config, hot_cold.volumes, port, token="t",
                     flightsql={"enable": True, "host": "127.0.0.1", "port": fsql_port})
        proc = subprocess.Popen([str(BINARY), "--config", str(config)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, env=node_environment())
        try:
            deadline = time.time() + 60
            while True:
                assert time.time() < deadline and proc.poll() is None, "the HTTP port never listened"
                try:
                    socket.create_connection(("127.0.0.1", port + 1), timeout=1).close()
                    break
                except ConnectionRefusedError:
                    continue
            for p in (port, fsql_port):
                socket.create_connection(("127.0.0.1", p), timeout=1).close()  # refused if not listening yet
            assert requests.get(f"http://127.0.0.1:{port + 1}/health", timeout=10).status_code == 200
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def _internal_queries(node):
    """Queries the node ran for itself so far (catalog listings, schema prepares), any outcome."""
    samples, _ = scrape(node)
    return sum(v for (name, labels), v in samples.items()
               if name == "homer_queries_total" and ("surface", "internal") in labels)


def test_a_healthy_node_has_listed_its_flight_catalog(hot_cold, node_factory):
    """Once /health answers, the Flight catalog listing (a schema prepare per table) is built: a
    node a load balancer has just marked up does not hold its first GetFlightInfo calls for it
    (seconds on a loaded fleet node over PostgreSQL, while least-connections routing avoids it)."""
    node = node_factory(hot_cold.volumes, token="t")
    before = _internal_queries(node)
    client = flight.FlightClient(f"grpc://127.0.0.1:{node.port}")
    options = flight.FlightCallOptions(headers=[(b"authorization", b"Bearer t")])
    info = client.get_flight_info(flight.FlightDescriptor.for_command(b"SELECT 42 AS answer"), options)
    assert client.do_get(info.endpoints[0].ticket, options).read_all().column(0).to_pylist() == [42]
    # The command's own schema prepare only (before: 7, the listing query and a prepare per table).
    assert _internal_queries(node) - before == 1
    assert "Flight catalog listed: " in node.log()
