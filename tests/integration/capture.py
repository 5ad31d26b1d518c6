"""HEP senders and an all-in-one homer-node (ingest + storage + node) for the capture tests.

The HEP3 encoder here is the tests' own (from the wire format); hep-js, sngrep and the C++
bench sender are independent encoders used by other tests."""
import json
import socket
import struct
import subprocess
import time
from pathlib import Path

import requests

from conftest import BINARY, Node, free_port_pair, node_environment, wait_for_port, wait_until_up


def _chunk(kind, body):
    return struct.pack("!HHH", 0, kind, 6 + len(body)) + body


def hep3(payload, src=("10.0.0.1", 5060), dst=("10.0.0.2", 5060), ts_us=None, proto_type=1, capture_id=2001,
         ip_proto=17, correlation=None, extra_chunks=()):
    """One HEP3 packet; `ts_us` None means now, 0 sends no time (both fields 0)."""
    if isinstance(payload, str):
        payload = payload.encode()
    v6 = ":" in src[0]
    family = socket.AF_INET6 if v6 else socket.AF_INET
    ts_us = int(time.time() * 1e6) if ts_us is None else ts_us
    chunks = [
        _chunk(1, bytes([10 if v6 else 2])),
        _chunk(2, bytes([ip_proto])),
        _chunk(5 if v6 else 3, socket.inet_pton(family, src[0])),
        _chunk(6 if v6 else 4, socket.inet_pton(family, dst[0])),
        _chunk(7, struct.pack("!H", src[1])),
        _chunk(8, struct.pack("!H", dst[1])),
        _chunk(9, struct.pack("!I", ts_us // 1000000)),
        _chunk(10, struct.pack("!I", ts_us % 1000000)),
        _chunk(11, bytes([proto_type])),
        _chunk(12, struct.pack("!I", capture_id)),
    ]
    if correlation is not None:
        chunks.append(_chunk(17, correlation.encode()))
    chunks.extend(_chunk(kind, body) for kind, body in extra_chunks)
    chunks.append(_chunk(15, payload))
    body = b"".join(chunks)
    return b"HEP3" + struct.pack("!H", 6 + len(body)) + body


def sip_request(method, call_id, from_user="alice", to_user="bob", cseq=1, extra=""):
    return (f"{method} sip:{to_user}@example.com SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-{call_id}-{cseq}\r\n"
            f"From: \"Alice\" <sip:{from_user}@example.com>;tag=f-{call_id}\r\n"
            f"To: <sip:{to_user}@example.com>\r\n"
            f"Call-ID: {call_id}\r\n"
            f"CSeq: {cseq} {method}\r\n"
            f"Contact: <sip:{from_user}@10.0.0.1:5060>\r\n"
            f"Max-Forwards: 70\r\n"
            f"User-Agent: homer-node-tests\r\n{extra}"
            f"Content-Length: 0\r\n\r\n")


def sip_response(code, reason, call_id, cseq_method="INVITE", from_user="alice", to_user="bob", cseq=1):
    return (f"SIP/2.0 {code} {reason}\r\n"
            f"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-{call_id}-{cseq}\r\n"
            f"From: \"Alice\" <sip:{from_user}@example.com>;tag=f-{call_id}\r\n"
            f"To: <sip:{to_user}@example.com>;tag=t-{call_id}\r\n"
            f"Call-ID: {call_id}\r\n"
            f"CSeq: {cseq} {cseq_method}\r\n"
            f"Server: homer-node-tests-uas\r\n"
            f"Content-Length: 0\r\n\r\n")


class CaptureNode(Node):
    """A Node that also receives HEP: hep_udp/hep_tcp ports and hep_http URL."""

    def send_udp(self, packets):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for p in packets:
                s.sendto(p, ("127.0.0.1", self.hep_port))

    def send_tcp(self, packets):
        with socket.create_connection(("127.0.0.1", self.hep_port)) as s:
            s.sendall(b"".join(packets))

    def send_http(self, packet):
        return requests.post(f"http://127.0.0.1:{self.hep_http_port}/api/hep", data=packet,
                             headers={"Content-Type": "application/octet-stream"}, timeout=10)

    def capture(self):
        return self.get("/api/v4/node/stats").json()["capture"]

    def count(self, table, where="true"):
        return self.rows(f"SELECT count(*) AS n FROM homer_lake.main.{table} WHERE {where}")[0][0]

    def wait_for(self, sql, expect, seconds=10):
        """Poll `sql` (first cell) until it equals `expect`; the value last seen."""
        deadline = time.time() + seconds
        value = None
        while time.time() < deadline:
            r = self.post("/api/v4/node/query", {"sql": sql})
            if r.status_code == 200:
                value = r.json()["data"][0][0]
                if value == expect:
                    return value
            else:
                value = r.text  # e.g. the table is not created yet
            time.sleep(0.05)
        return value


def capture_config(tmp_path, port, hep_port, hep_http_port, token="secret-token", storage=None, ingest=None,
                   flightsql_port=None):
    lake_dir = tmp_path / "lake"
    cfg = {
        "node": {"enable": True,
                 "flight_server": {"host": "127.0.0.1", "port": port, "auth_token": token},
                 "flightsql_server": {"enable": flightsql_port is not None, "host": "127.0.0.1",
                                      "port": flightsql_port or 50055, "auth_token": token},
                 "ducklake": {"lake_name": "homer_lake", "threads": 2, "memory_limit": "2GB"}},
        "ingest": {"enable": True,
                   "udp": {"enable": True, "host": "127.0.0.1", "port": hep_port},
                   "tcp": {"enable": True, "host": "127.0.0.1", "port": hep_port},
                   "http": {"enable": True, "host": "127.0.0.1", "port": hep_http_port},
                   **(ingest or {})},
        "storage": {"enable": True,
                    "ducklake": {"catalog_path": str(lake_dir / "homer_lake.sqlite"),
                                 "data_path": str(lake_dir / "data") + "/",
                                 "lake_name": "homer_lake", "durable_interval_ms": 100,
                                 **(storage or {})}},
    }
    return cfg


def start_capture_node(tmp_path, token="secret-token", storage=None, ingest=None, flightsql=False, config=None,
                       name="capture"):
    """An all-in-one homer-node on free ports; `config` reuses a previous run's config (restart)."""
    assert BINARY.exists(), f"build homer-node first ({BINARY})"
    if config is None:
        port = free_port_pair()
        hep_port = free_port_pair()
        config = capture_config(tmp_path, port, hep_port, hep_port + 1, token=token, storage=storage, ingest=ingest,
                                flightsql_port=free_port_pair() if flightsql else None)
    port = config["node"]["flight_server"]["port"]
    config_path = tmp_path / f"{name}.json"
    config_path.write_text(json.dumps(config, indent=2))
    log_path = tmp_path / f"{name}-{time.time_ns()}.log"
    log = open(log_path, "w")
    proc = subprocess.Popen([str(BINARY), "--config", str(config_path)], stdout=log, stderr=subprocess.STDOUT,
                            env=node_environment())
    node = CaptureNode(proc, port, config["node"]["flight_server"]["auth_token"], config_path, log_path)
    node.config = config
    node.hep_port = config["ingest"]["udp"]["port"]
    node.hep_http_port = config["ingest"]["http"]["port"]
    node.flightsql_port = config["node"]["flightsql_server"]["port"]

    def ready(deadline):
        ingest = config["ingest"]
        tcp_up = not ingest["tcp"].get("enable") or wait_for_port(node.hep_port, deadline)
        return tcp_up and (not ingest["http"].get("enable", True) or wait_for_port(node.hep_http_port, deadline))

    return wait_until_up(node, ready)
