"""HOMER's own HEP encoder, npm hep-js 1.0.22 (scripts/bootstrap.sh installs it in .deps/node), as an
independent sender: its packets over UDP, TCP and HTTP land in HOMER's tables with every column it
carries (correlation id -> cid/session_id, capture id -> node_id, IPv4 and IPv6 text, protocol, time
to the microsecond), its extra chunks (node name 19, auth key 14, MOS 32, transaction type 36,
vendor extensions) are skipped without harm, and what hep-js cannot address is dropped and counted.

hep-js facts (read from .deps/node/node_modules/hep-js/index.js): encapsulate() reads rcinfo keys
protocolFamily, protocol, srcIp/dstIp (IPv4 dotted quads only: chunks 3/4 always), srcPort/dstPort,
timeSeconds/timeUseconds, payloadType (chunk 11), captureId (12), hepNodeName (19, the capture id
as text when absent), capturePass (14), correlation_id (17); with proto_type 32 or 35 also mos (32),
with transaction_type also chunk 36. It has no IPv6 address field: the IPv6 packets here carry
chunks 5/6 through its addVendorExtensions mechanism (see hepjs_encode.js), as a hep-js user would."""
import ipaddress
import json
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from capture import start_capture_node
from conftest import DEPS

HERE = Path(__file__).resolve().parent
ENCODER = HERE / "hepjs_encode.js"
HEPJS = DEPS / "node" / "node_modules" / "hep-js" / "package.json"

TS = 1764504000  # 2025-11-30 12:00:00 UTC


def hepjs(*packets):
    """Encode with hep-js: each packet a dict {rcinfo, payload, chunks?}; the packets' bytes."""
    node_js = shutil.which("node")
    assert node_js, "Node.js (node) is needed for hep-js"
    assert HEPJS.exists(), f"run scripts/bootstrap.sh: hep-js is not installed ({HEPJS})"
    assert json.loads(HEPJS.read_text())["version"] == "1.0.22"
    out = subprocess.run([node_js, str(ENCODER)], input=json.dumps(list(packets)), capture_output=True, text=True,
                         timeout=30, env={"PATH": "/usr/bin:/bin", "HOMER_DEPS_DIR": str(DEPS)})
    assert out.returncode == 0, out.stderr
    return [bytes.fromhex(line) for line in out.stdout.split()]


def rcinfo(src=("192.0.2.10", 5060), dst=("192.0.2.20", 5080), sec=TS, usec=0, payload_type=1, capture_id=3001,
           protocol=17, **extra):
    """hep-js rcinfo and extra chunks: IPv6 addresses go to chunks 5/6 (family 10); sec None: no time."""
    v6 = ":" in src[0]
    info = {"protocolFamily": 10 if v6 else 2, "protocol": protocol, "srcPort": src[1], "dstPort": dst[1],
            "payloadType": payload_type, "captureId": capture_id, **extra}
    if sec is not None:  # hep-js sends 0 for both time chunks without them
        info.update(timeSeconds=sec, timeUseconds=usec)
    chunks = {}
    if v6:
        chunks = {"5": socket.inet_pton(socket.AF_INET6, src[0]).hex(),
                  "6": socket.inet_pton(socket.AF_INET6, dst[0]).hex()}
    else:
        info.update(srcIp=src[0], dstIp=dst[0])
    return info, chunks


def packet(payload, **kw):
    info, chunks = rcinfo(**kw)
    return {"rcinfo": info, "payload": payload, "chunks": chunks}


def sip(first_line, call_id, method, from_user="alice", to_user="bob", cseq=1):
    return (f"{first_line}\r\n"
            f"Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-{call_id}-{cseq}\r\n"
            f"From: \"Alice\" <sip:{from_user}@example.org>;tag=a-{call_id}\r\n"
            f"To: <sip:{to_user}@example.org>\r\n"
            f"Call-ID: {call_id}\r\n"
            f"CSeq: {cseq} {method}\r\n"
            f"User-Agent: hep-js test\r\n"
            f"Content-Length: 0\r\n\r\n")


@pytest.fixture
def node(tmp_path):
    n = start_capture_node(tmp_path)
    try:
        yield n
    finally:
        n.stop()


def as_json(value):
    """A JSON column as the HTTP API returns it (an object, or its text)."""
    return json.loads(value) if isinstance(value, str) else value


def dict_rows(node, sql):
    r = node.query(sql)
    names = [c if isinstance(c, str) else c["name"] for c in r["columns"]]
    return [dict(zip(names, row)) for row in r["data"]]


def wait_rows(node, table, where, n, seconds=5):
    got = node.wait_for(f"SELECT count(*) FROM homer_lake.main.{table} WHERE {where}", n, seconds=seconds)
    assert got == n, f"{table} WHERE {where}: {got} rows, expected {n}\n{node.log()[-3000:]}"
    return dict_rows(node, f"SELECT *, epoch_us(timestamp) AS ts_us FROM homer_lake.main.{table} "
                           f"WHERE {where} ORDER BY timestamp")


def test_hepjs_sip_over_udp_tcp_and_http_ipv4_and_ipv6(node):
    cid = "hepjs-call-1@example.org"
    invite, trying, ok, bye = hepjs(
        # UDP, IPv4, correlation id (chunk 17), auth key (14), node name (19).
        packet(sip("INVITE sip:bob@example.org SIP/2.0", cid, "INVITE"), usec=1, capture_id=3001,
               capturePass="myHep", hepNodeName="edge-ams-1", correlation_id="a-leg-77"),
        # TCP, IPv6, no correlation id: cid is the Call-ID; node name falls back to the capture id.
        packet(sip("SIP/2.0 100 Trying", cid, "INVITE"), src=("2001:470:0:1::a", 5080),
               dst=("2001:470::1", 5060), usec=500000, capture_id=3002, protocol=6),
        packet(sip("SIP/2.0 200 OK", cid, "INVITE"), src=("2001:470:0:1::a", 5080),
               dst=("2001:470::1", 5060), usec=999999, capture_id=3002, protocol=6),
        # HTTP, IPv4, the largest capture id.
        packet(sip("BYE sip:bob@example.org SIP/2.0", cid, "BYE", cseq=2), sec=TS + 1, usec=0,
               capture_id=4294967295, correlation_id="a-leg-77"))
    node.send_udp([invite])
    node.send_tcp([trying, ok])  # two frames in one stream
    r = node.send_http(bye)
    assert r.status_code == 200, r.text

    rows = wait_rows(node, "hep_proto_1_call", f"session_id = '{cid}'", 4)
    got = [(row["method"], row["response_code"] or "", row["cseq_method"], row["caller"], row["callee"],
            row["src_ip"], row["src_port"], row["dst_ip"], row["dst_port"], row["protocol"], row["node_id"],
            row["cid"], row["ts_us"]) for row in rows]
    v6a, v6b = ipaddress.ip_address("2001:470:0:1::a").compressed, ipaddress.ip_address("2001:470::1").compressed
    assert got == [
        ("INVITE", "", "INVITE", "alice", "bob", "192.0.2.10", 5060, "192.0.2.20", 5080, 17, "3001", "a-leg-77",
         TS * 1000000 + 1),
        ("100", "100", "INVITE", "alice", "bob", v6a, 5080, v6b, 5060, 6, "3002", cid, TS * 1000000 + 500000),
        ("200", "200", "INVITE", "alice", "bob", v6a, 5080, v6b, 5060, 6, "3002", cid, TS * 1000000 + 999999),
        ("BYE", "", "BYE", "alice", "bob", "192.0.2.10", 5060, "192.0.2.20", 5080, 17, "4294967295", "a-leg-77",
         (TS + 1) * 1000000),
    ]
    assert [row["date"] for row in rows] == ["2025-11-30"] * 4
    assert rows[0]["timestamp"].endswith("12:00:00.000001"), rows[0]["timestamp"]
    assert v6a == "2001:470:0:1::a"
    extra = as_json(rows[0]["data_extra"])
    assert extra["version"] == 3 and extra["user_agent"] == "hep-js test" and extra["from_tag"] == f"a-{cid}"
    assert rows[0]["payload"].startswith("INVITE sip:bob@example.org SIP/2.0\r\n")

    stats = node.capture()["ingest"]
    assert stats["received_by_transport"] == {"udp": 1, "tcp": 2, "http": 1}, stats
    assert stats["decoded"] == 4 and stats["dropped"] == 0, stats


def test_hepjs_non_sip_types_land_in_their_default_tables(node):
    corr = "hepjs-corr-9@example.org"
    log, rtcp, xr, log6, vendor, untimed = hepjs(
        # 100 log, sent with hep-js's transaction type (chunk 36) as well.
        packet("ERROR something failed for call 9", payload_type=100, usec=111111, capture_id=5100,
               correlation_id=corr, transaction_type="call"),
        # 5 RTCP as JSON (the report form HEP agents send).
        packet(json.dumps({"sender_information": {"packets": 50, "octets": 8000}, "ssrc": 1234, "type": 200}),
               payload_type=5, src=("192.0.2.30", 10001), dst=("192.0.2.40", 20001), usec=222222,
               capture_id=5005, correlation_id=corr),
        # 35 RTCP-XR: with proto_type 35 hep-js adds a MOS chunk (32) after the correlation id.
        packet("CallID: x\r\nMOS: 4.36", payload_type=35, proto_type=35, mos=436, usec=333333,
               capture_id=5035, correlation_id=corr),
        # 100 with IPv6 addresses.
        packet("second log line", payload_type=100, src=("2001:470::5", 514), dst=("2001:470::6", 514),
               usec=444444, capture_id=5100, correlation_id=corr),
        # 100 with a vendor extension chunk (vendor 8, type 0x80, as in hep-js's README).
        {**packet("third log line", payload_type=100, usec=555555, capture_id=5100, correlation_id=corr),
         "chunks": {"8:128": b"edge-7".hex()}},
        # 100 without a time: hep-js sends 0 s + 0 µs; the node stores the receive time (HOMER: 1970).
        packet("untimed log line", payload_type=100, sec=None, capture_id=5100, correlation_id=corr + "-untimed"))
    assert b"\x00\x09\x00\x0a\x00\x00\x00\x00\x00\x00\x00\x0a\x00\x0a\x00\x00\x00\x00" in untimed
    assert b"\x00\x24\x00\x0acall" in log and b"\x00\x20\x00\x08\x01\xb4" in xr  # chunks 36 and 32 (MOS 436)
    assert b"\x00\x08\x00\x80\x00\x0cedge-7" in vendor
    node.send_udp([log, rtcp])
    node.send_tcp([xr])
    assert node.send_http(log6).status_code == 200
    assert node.send_http(vendor).status_code == 200
    sent_untimed = time.time()
    node.send_udp([untimed])

    logs = wait_rows(node, "hep_proto_100_default", f"session_id = '{corr}'", 3)
    assert [(r["payload"], r["node_id"], r["src_ip"], r["dst_ip"], r["ts_us"]) for r in logs] == [
        ("ERROR something failed for call 9", "5100", "192.0.2.10", "192.0.2.20", TS * 1000000 + 111111),
        ("second log line", "5100", "2001:470::5", "2001:470::6", TS * 1000000 + 444444),
        ("third log line", "5100", "192.0.2.10", "192.0.2.20", TS * 1000000 + 555555),
    ]
    assert all(as_json(r["data_extra"]) == {"version": 3, "proto_type": 100} for r in logs)

    rtcp_rows = wait_rows(node, "hep_proto_5_default", f"session_id = '{corr}'", 1)
    (r,) = rtcp_rows
    assert (r["cid"], r["node_id"], r["src_ip"], r["src_port"], r["dst_ip"], r["dst_port"], r["protocol"],
            r["ts_us"]) == (corr, "5005", "192.0.2.30", 10001, "192.0.2.40", 20001, 17, TS * 1000000 + 222222)
    assert json.loads(r["payload"])["ssrc"] == 1234
    assert as_json(r["data_extra"]) == {"version": 3, "proto_type": 5}

    xr_rows = wait_rows(node, "hep_proto_35_default", f"session_id = '{corr}'", 1)
    assert (xr_rows[0]["payload"], xr_rows[0]["node_id"], xr_rows[0]["ts_us"]) == (
        "CallID: x\r\nMOS: 4.36", "5035", TS * 1000000 + 333333)

    (u,) = wait_rows(node, "hep_proto_100_default", f"session_id = '{corr}-untimed'", 1)
    assert abs(u["ts_us"] / 1e6 - sent_untimed) < 5, (u["timestamp"], sent_untimed)

    stats = node.capture()["ingest"]
    assert stats["decoded"] == 6 and stats["dropped"] == 0, stats


def test_hepjs_hep_stream_of_many_packets_over_tcp_is_framed_exactly(node):
    """A TCP stream of hep-js packets of varied sizes, sent in odd-sized pieces: every packet once."""
    packets = hepjs(*[packet(sip("INVITE sip:bob@example.org SIP/2.0", f"stream-{i}@hepjs", "INVITE")
                             + "x" * (i * 37 % 900), usec=i, capture_id=7000 + i) for i in range(200)])
    stream = b"".join(packets)
    with socket.create_connection(("127.0.0.1", node.hep_port)) as s:
        for start in range(0, len(stream), 997):
            s.sendall(stream[start:start + 997])
            if start % 20 == 0:
                time.sleep(0.001)
    rows = wait_rows(node, "hep_proto_1_call", "session_id LIKE 'stream-%@hepjs'", 200)
    assert sorted((r["ts_us"] - TS * 1000000, r["node_id"]) for r in rows) == [(i, str(7000 + i)) for i in range(200)]


def test_hepjs_packets_it_cannot_address_are_counted_not_stored(node):
    """hep-js's pitfalls reach the node as packets without usable addresses: dropped and counted.
    An IPv6 srcIp without chunks 5/6 (encapsulate writes it as IPv4 0.0.0.0 under family 10), and
    rcinfo with the README's key names (ip_family, proto_type, time_sec...), which encapsulate ignores:
    family 0."""
    v6_as_v4, readme_keys = hepjs(
        {"rcinfo": {"protocolFamily": 10, "protocol": 17, "srcIp": "2001:470::1", "dstIp": "2001:470::2",
                    "srcPort": 5060, "dstPort": 5060, "timeSeconds": TS, "timeUseconds": 0, "payloadType": 100,
                    "captureId": 1}, "payload": "IPv6 written as IPv4"},
        {"rcinfo": {"ip_family": 2, "protocol": 17, "srcIp": "192.0.2.1", "dstIp": "192.0.2.2", "srcPort": 5060,
                    "dstPort": 5060, "time_sec": TS, "time_usec": 0, "proto_type": 100, "captureId": 1},
         "payload": "README keys"})
    assert b"\x00\x01\x00\x07\x0a" in v6_as_v4 and b"\x00\x03\x00\x0a\x00\x00\x00\x00" in v6_as_v4
    assert b"\x00\x01\x00\x07\x00" in readme_keys
    node.send_udp([v6_as_v4, readme_keys])
    deadline = time.time() + 5
    while node.capture()["ingest"]["dropped"] < 2 and time.time() < deadline:
        time.sleep(0.05)
    stats = node.capture()["ingest"]
    assert stats["dropped_by_reason"] == {"bad_address": 1, "missing_field": 1}, stats
    assert stats["decoded"] == 0, stats
    assert node.capture()["writer"]["appended_rows"] == 0
