"""Real SIP calls, replayed as HEP3 by an independent sender: SIPp's UAC calls SIPp's UAS on
127.0.0.1 while tcpdump records them; sngrep (Debian sngrep 1.6) reads the pcap and sends every SIP
message to homer-node as HEP3 over UDP. Every message of every call must be queryable within 5 s in
homer_lake.main.hep_proto_1_call with the columns the pcap says (Call-ID, From/To user, method or
status, CSeq method, addresses and ports, the capture time to the microsecond, sngrep's capture id).

Binaries: /usr/bin/sipp (sip-tester), /usr/bin/tcpdump, /usr/bin/sngrep (scripts/bootstrap.sh's
APT_PACKAGES). tcpdump needs CAP_NET_RAW (root here)."""
import os
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import time

import pytest

from capture import start_capture_node

CALLS = 5
# SIPp's built-in UAS scenario answers 180 and 200 only; ours adds a 100 Trying before them.
TRYING = """  <send>
    <![CDATA[

      SIP/2.0 100 Trying
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>

"""
DIALOG = ["INVITE", "100", "180", "200", "ACK", "BYE", "200"]
# sngrep's HEP capture id (its setting eep.send.id; -H has no option for it). sngrep 1.6 stores
# htons(id) in the 32-bit chunk 12 (capture_eep.c: `hg.capt_id.data = htons(eep_cfg.capt_id)`), so on
# a little-endian host the wire carries id << 16: the value any HEP server, HOMER's included, reads.
SNGREP_CAPTURE_ID = 4242
SNGREP_WIRE_CAPTURE_ID = SNGREP_CAPTURE_ID << 16 if struct.pack("=H", 1) == b"\x01\x00" else SNGREP_CAPTURE_ID


def tool(name):
    path = shutil.which(name) or f"/usr/bin/{name}"
    assert os.path.exists(path), f"{name} is missing: scripts/bootstrap.sh installs it (APT_PACKAGES)"
    return path


def free_udp_port():
    from conftest import free_port_pair  # below the ephemeral range, never handed out twice
    return free_port_pair()


def udp_port_taken(port):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


@pytest.fixture
def processes():
    """Popen objects the test started: all ended (SIGTERM, then SIGKILL) whatever happens."""
    started = []
    yield started
    for p in reversed(started):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


# --- a small pcap reader (classic libpcap format; tcpdump -w writes it) ---------------------------

def read_pcap(path):
    """[(ts_us, ip_payload_protocol, src, sport, dst, dport, udp_payload)] for the IPv4 UDP packets."""
    data = path.read_bytes()
    if len(data) < 24:
        return []
    magic = data[:4]
    formats = {b"\xd4\xc3\xb2\xa1": ("<", 1), b"\xa1\xb2\xc3\xd4": (">", 1),
               b"\x4d\x3c\xb2\xa1": ("<", 1000), b"\xa1\xb2\x3c\x4d": (">", 1000)}  # µs / ns
    assert magic in formats, f"not a classic pcap file: {magic!r}"
    endian, per_us = formats[magic]
    link_type = struct.unpack(endian + "I", data[20:24])[0] & 0x0FFFFFFF
    out = []
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, _orig = struct.unpack(endian + "IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if len(frame) < incl:
            break  # the last record is still being written
        ip = link_payload(link_type, frame, endian)
        if ip is None or len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 17:
            continue
        ihl = (ip[0] & 15) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        flags_frag = struct.unpack("!H", ip[6:8])[0]
        assert flags_frag & 0x3FFF == 0, "an IP fragment: SIP over loopback should not fragment"
        sport, dport, ulen = struct.unpack("!HHH", ip[ihl:ihl + 6])
        payload = ip[ihl + 8:min(total, ihl + ulen)]
        out.append((sec * 1000000 + frac // per_us, socket.inet_ntoa(ip[12:16]), sport,
                    socket.inet_ntoa(ip[16:20]), dport, payload))
    return out


def link_payload(link_type, frame, endian):
    if link_type == 1:  # DLT_EN10MB: what tcpdump -i lo gives on Linux
        ether_type, rest = struct.unpack("!H", frame[12:14])[0], frame[14:]
        while ether_type == 0x8100:  # VLAN tags
            ether_type, rest = struct.unpack("!H", rest[2:4])[0], rest[4:]
        return rest if ether_type == 0x0800 else None
    if link_type == 0:  # DLT_NULL: host-order address family
        return frame[4:] if struct.unpack(endian + "I", frame[:4])[0] == socket.AF_INET else None
    if link_type == 113:  # LINUX_SLL
        return frame[16:] if struct.unpack("!H", frame[14:16])[0] == 0x0800 else None
    if link_type == 276:  # LINUX_SLL2
        return frame[20:] if struct.unpack("!H", frame[0:2])[0] == 0x0800 else None
    if link_type in (101, 12, 228):  # raw IP / raw IPv4
        return frame
    raise AssertionError(f"pcap link type {link_type} is not handled")


def header(lines, *names):
    for line in lines[1:]:
        if not line:
            break
        name, _, value = line.partition(":")
        if name.strip().lower() in names:
            return value.strip()
    return ""


def sip_user(value):
    m = re.search(r"sips?:([^@;>]+)@", value)
    return m.group(1) if m else ""


def sip_messages(packets):
    """Ground truth from the pcap: one dict per SIP message, as the columns should hold it."""
    out = []
    for ts_us, src, sport, dst, dport, payload in packets:
        text = payload.decode("utf-8")
        lines = text.split("\r\n")
        start = lines[0].split(" ")
        is_response = start[0] == "SIP/2.0"
        cseq = header(lines, "cseq").split()
        out.append({
            "session_id": header(lines, "call-id", "i"),
            "caller": sip_user(header(lines, "from", "f")),
            "callee": sip_user(header(lines, "to", "t")),
            "method": start[1] if is_response else start[0],
            "response_code": start[1] if is_response else "",
            "cseq_method": cseq[1] if len(cseq) == 2 else "",
            "src_ip": src, "src_port": sport, "dst_ip": dst, "dst_port": dport,
            "ts_us": ts_us,
        })
    return out


# --- the test -------------------------------------------------------------------------------------

def record_calls(tmp_path, processes):
    """Run CALLS SIPp calls on loopback under tcpdump; the pcap's path once it holds them all."""
    sipp, tcpdump = tool("sipp"), tool("tcpdump")
    uas_port = free_udp_port()
    uac_port = free_udp_port()
    while uac_port == uas_port:
        uac_port = free_udp_port()

    scenario = subprocess.run([sipp, "-sd", "uas"], capture_output=True, text=True, timeout=10).stdout
    assert "<send>" in scenario, scenario[:500]
    first_send = scenario.index("  <send>")
    (tmp_path / "uas.xml").write_text(scenario[:first_send] + TRYING + scenario[first_send:])

    pcap = tmp_path / "calls.pcap"
    dump = subprocess.Popen([tcpdump, "-i", "lo", "-n", "-U", "--immediate-mode", "-w", str(pcap),
                             f"udp port {uas_port} or udp port {uac_port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    processes.append(dump)
    ready, deadline, said = False, time.time() + 10, b""
    while time.time() < deadline and dump.poll() is None:
        if select.select([dump.stderr], [], [], 0.1)[0]:
            said += os.read(dump.stderr.fileno(), 4096)
            if b"listening on" in said:
                ready = True
                break
    assert ready, f"tcpdump is not capturing (it needs CAP_NET_RAW): {said.decode(errors='replace')}"

    uas_log = open(tmp_path / "uas.log", "w")
    uas = subprocess.Popen([sipp, "-sf", str(tmp_path / "uas.xml"), "-i", "127.0.0.1", "-p", str(uas_port),
                            "-m", str(CALLS), "-nostdin"], stdout=uas_log, stderr=subprocess.STDOUT,
                           cwd=tmp_path)
    processes.append(uas)
    deadline = time.time() + 10
    while not udp_port_taken(uas_port):
        assert uas.poll() is None and time.time() < deadline, (tmp_path / "uas.log").read_text()[-2000:]
        time.sleep(0.05)

    uac = subprocess.run([sipp, "-sn", "uac", f"127.0.0.1:{uas_port}", "-i", "127.0.0.1", "-p", str(uac_port),
                          "-m", str(CALLS), "-r", "5", "-nostdin", "-timeout", "20s", "-timeout_error"],
                         capture_output=True, text=True, timeout=40, cwd=tmp_path)
    assert uac.returncode == 0, f"SIPp UAC failed ({uac.returncode}):\n{uac.stdout[-3000:]}\n{uac.stderr[-2000:]}"
    uas.send_signal(signal.SIGTERM)  # it would linger 4 s (timewait) holding its port
    uas.wait(timeout=10)

    # Every message written (tcpdump -U writes each packet as it comes), then tcpdump stops cleanly.
    expected = CALLS * len(DIALOG)
    deadline = time.time() + 5
    while len(read_pcap(pcap)) < expected and time.time() < deadline:
        time.sleep(0.05)
    dump.send_signal(signal.SIGINT)
    assert dump.wait(timeout=10) == 0
    return pcap


def test_sngrep_replays_sipp_calls_and_every_message_lands_with_its_columns(tmp_path, processes):
    sngrep = tool("sngrep")
    pcap = record_calls(tmp_path, processes)
    truth = sip_messages(read_pcap(pcap))

    # The ground truth itself: CALLS dialogs, each INVITE 100 180 200 ACK BYE 200 (retransmissions,
    # if loopback ever needed one, would be extra rows on both sides).
    calls = {}
    for m in truth:
        calls.setdefault(m["session_id"], []).append(m["method"])
    assert len(calls) == CALLS, calls
    for call_id, methods in calls.items():
        assert methods == DIALOG, (call_id, methods)
    assert {(m["caller"], m["callee"]) for m in truth} == {("sipp", "service")}
    assert len({m["ts_us"] for m in truth}) == len(truth)

    node = start_capture_node(tmp_path)
    try:
        (tmp_path / "sngreprc").write_text(f"set eep.send on\nset eep.send.id {SNGREP_CAPTURE_ID}\n")
        replay = subprocess.run([sngrep, "-f", str(tmp_path / "sngreprc"), "-N", "-q", "-I", str(pcap),
                                 "-H", f"udp:127.0.0.1:{node.hep_port}"],
                                capture_output=True, text=True, timeout=30, cwd=tmp_path,
                                env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TERM": "dumb",
                                     "HOME": str(tmp_path)})
        replayed_at = time.time()
        assert replay.returncode == 0, replay.stdout + replay.stderr

        ids = ", ".join(f"'{c}'" for c in calls)
        where = f"session_id IN ({ids})"
        n = node.wait_for(f"SELECT count(*) FROM homer_lake.main.hep_proto_1_call WHERE {where}", len(truth),
                          seconds=5)
        waited = time.time() - replayed_at
        assert n == len(truth), f"{n} of {len(truth)} SIP messages queryable after {waited:.1f} s: {node.capture()}"

        r = node.query("SELECT session_id, caller, callee, method, coalesce(response_code, '') AS response_code, "
                       "cseq_method, src_ip, src_port, dst_ip, dst_port, epoch_us(timestamp) AS ts_us, node_id, "
                       f"protocol, cid FROM homer_lake.main.hep_proto_1_call WHERE {where}")
        names = [c if isinstance(c, str) else c["name"] for c in r["columns"]]
        rows = [dict(zip(names, row)) for row in r["data"]]
        keys = list(truth[0])
        got = sorted(tuple(row[k] for k in keys) for row in rows)
        want = sorted(tuple(m[k] for k in keys) for m in truth)
        assert got == want
        # sngrep sends what it read: the pcap's UDP packets, its capture id, no correlation id.
        assert {row["node_id"] for row in rows} == {str(SNGREP_WIRE_CAPTURE_ID)}
        assert {row["protocol"] for row in rows} == {17}
        assert all(row["cid"] == row["session_id"] for row in rows)
        stats = node.capture()["ingest"]
        assert stats["decoded"] == len(truth) and stats["dropped"] == 0, stats
    finally:
        node.stop()
