"""Capture benchmarks on an all-in-one homer-node (ingest + writer + node in one process).

  rate:    bench/hep_sender sends realistic SIP dialogs as HEP3/UDP at --rate for --seconds while a
           client searches one Call-ID over HTTP every --search-every seconds (0.1). Reports the sender's own rate, the
           kernel's UDP receive errors (/proc/net/snmp), the node's drop counters, rows in the
           lake vs packets sent, and the search latency during ingest (p50/p99).
  latency: one packet every 20 ms with its own Call-ID; each is searched every 5 ms until it
           answers: capture-to-query latency p50/p99.

    .deps/venv/bin/python bench/ingest.py rate [--rate 100000] [--seconds 60]
    .deps/venv/bin/python bench/ingest.py latency [--packets 300] [--durable-ms 200]
"""
import argparse
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
from capture import hep3, sip_request, start_capture_node  # noqa: E402
from conftest import BUILD  # noqa: E402

SENDER = BUILD / "bench" / "hep_sender"
TABLES = ("hep_proto_1_call", "hep_proto_1_registration", "hep_proto_1_default")


def udp_errors():
    lines = [line.split() for line in Path("/proc/net/snmp").read_text().splitlines() if line.startswith("Udp:")]
    fields = dict(zip(lines[0][1:], map(int, lines[1][1:])))
    return {k: fields[k] for k in ("InErrors", "RcvbufErrors")}


def cpu_seconds(pid):
    parts = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / 100


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))] if values else float("nan")


def total_rows(node):
    sql = " + ".join(f"(SELECT count(*) FROM homer_lake.main.{t})" for t in TABLES)
    return node.rows(f"SELECT {sql}")[0][0]


def bench_rate(args, tmp):
    node = start_capture_node(tmp, ingest={"queue_size": args.queue}, storage={"durable_interval_ms": args.durable_ms})
    try:
        searches, stop = [], threading.Event()

        def search():
            n = 0
            while not stop.is_set():
                t = time.perf_counter()
                node.rows(f"SELECT * FROM homer_lake.main.hep_proto_1_call WHERE session_id = "
                          f"'bench-{n * 97 % 1000:010d}@bench'")
                searches.append((time.perf_counter() - t) * 1000)
                n += 1
                time.sleep(args.search_every)

        searcher = threading.Thread(target=search)
        kernel_before, cpu_before = udp_errors(), cpu_seconds(node.proc.pid)
        searcher.start()
        started = time.time()
        out = subprocess.run([str(SENDER), "--port", str(node.hep_port), "--rate", str(args.rate), "--seconds",
                              str(args.seconds), "--prefix", "bench"], capture_output=True, text=True, check=True)
        sent = json.loads(out.stdout.strip().splitlines()[-1])
        # Everything sent must be decoded and readable (buffered or flushed) before we count.
        deadline = time.time() + 120
        while time.time() < deadline:
            ingest = node.capture()["ingest"]
            if ingest["decoded"] + ingest["dropped"] >= sent["packets"] or ingest["received"] == ingest["decoded"] + ingest["dropped"] and ingest["queue_depth"] == 0 and time.time() - started > args.seconds + 5:
                break
            time.sleep(0.2)
        drained = time.time() - started
        stop.set()
        searcher.join()
        kernel = {k: v - kernel_before[k] for k, v in udp_errors().items()}
        rows = total_rows(node)
        capture = node.capture()
        report = {
            "sender": sent,
            "kernel_udp_errors": kernel,
            "node_received": capture["ingest"]["received"],
            "node_decoded": capture["ingest"]["decoded"],
            "node_dropped": capture["ingest"]["dropped_by_reason"],
            "rows_queryable": rows,
            "lost": sent["packets"] - rows,
            "seconds_until_drained": round(drained, 1),
            "node_cpu_seconds": round(cpu_seconds(node.proc.pid) - cpu_before, 1),
            "writer": {k: capture["writer"][k] for k in ("flushes", "flushed_rows", "buffered_rows",
                                                          "last_flush_seconds", "flush_failures")},
            "callid_search_ms_during_ingest": {"n": len(searches), "p50": round(percentile(searches, 50), 1),
                                               "p99": round(percentile(searches, 99), 1)},
        }
        print(json.dumps(report, indent=2))
    finally:
        node.stop()


def bench_latency(args, tmp):
    node = start_capture_node(tmp, storage={"durable_interval_ms": args.durable_ms})
    try:
        latencies = []
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for i in range(args.packets):
                call_id = f"lat-{i}@bench"
                packet = hep3(sip_request("INVITE", call_id))
                t = time.perf_counter()
                s.sendto(packet, ("127.0.0.1", node.hep_port))
                while True:
                    r = node.rows(f"SELECT count(*) FROM homer_lake.main.hep_proto_1_call WHERE session_id = '{call_id}'")
                    if r[0][0] == 1:
                        break
                    time.sleep(0.005)
                latencies.append((time.perf_counter() - t) * 1000)
                time.sleep(0.02)
        print(json.dumps({"packets": len(latencies), "durable_interval_ms": args.durable_ms,
                          "capture_to_query_ms": {"p50": round(percentile(latencies, 50), 1),
                                                  "p99": round(percentile(latencies, 99), 1),
                                                  "max": round(max(latencies), 1),
                                                  "mean": round(statistics.mean(latencies), 1)}}, indent=2))
    finally:
        node.stop()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["rate", "latency"])
    p.add_argument("--rate", type=int, default=100000)
    p.add_argument("--seconds", type=int, default=60)
    p.add_argument("--queue", type=int, default=200000)
    p.add_argument("--search-every", type=float, default=0.1, help="seconds between Call-ID searches during ingest")
    p.add_argument("--packets", type=int, default=300)
    p.add_argument("--durable-ms", type=int, default=200, help="storage.ducklake.durable_interval_ms")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        (bench_rate if args.mode == "rate" else bench_latency)(args, Path(tmp))


if __name__ == "__main__":
    main()
