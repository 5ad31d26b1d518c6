#!/usr/bin/env python3
"""bench/fleet: a small lake query through HAProxy with 1, 2 and 3 nodes, and HAProxy's per-query
overhead against a node asked directly. The fleet is tests/integration/fleet.py's (PostgreSQL 15
catalog, data on S3 via moto, one writer that fills the lake first and then stays idle, N
node-only processes, HAProxy); nodes are taken out of HAProxy's rotation through its admin socket
(`set server ... state maint`), so the same processes serve every step.

Throughput: --clients processes, each a kept-alive HTTP connection posting the query in a loop for
--seconds; queries/s, p50/p99, and the CPU each process used (utime + stime from /proc, in cores:
1.0 = one core busy all the time), for the nodes, HAProxy, PostgreSQL (postmaster and backends)
and the clients themselves: they all share this machine's cores.

Overhead: one client, one query at a time, alternating a direct request to node1 with one through
HAProxy (node1 only in rotation), --requests of each; p50 and the difference.

Queries: "count" (answered from DuckLake's metadata in PostgreSQL) and "scan" (reads a column of
every data file from S3). The S3 server's CPU (moto, a Python process) is measured too.

Usage: bench/fleet.py [--seconds 15] [--clients 6] [--requests 400] [--query count|scan ...]
"""
import argparse
import http.client
import json
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402,F401  (puts tests/integration on the path)
from fleet import Fleet  # noqa: E402  (tests/integration/fleet.py: common put its folder first on the path)

QUERIES = {
    # Answered from DuckLake's metadata in PostgreSQL: no data file is opened.
    "count": "SELECT count(*) FROM homer_lake.main.hep_proto_1_call",
    # Reads the method column of every data file from S3 (moto).
    "scan": "SELECT count(*) FROM homer_lake.main.hep_proto_1_call WHERE method = 'INVITE'",
}
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def machine_busy():
    """CPU seconds the whole machine spent busy (not idle or iowait), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / TICK


def children(pid):
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if int((d / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(d.name))
            except (OSError, ValueError, IndexError):
                pass
    return out


def postgres_cpu(fleet):
    """CPU of the postmaster and its children: those alive, and those that exited (the postmaster's
    cutime + cstime), so the sum never goes down when a backend ends."""
    pid = int((fleet.pg.dir / "data" / "postmaster.pid").read_text().split()[0])
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    waited = (int(fields[13]) + int(fields[14])) / TICK
    return cpu_seconds(pid) + waited + sum(cpu_seconds(c) for c in children(pid))


def client(port, token, sql, seconds, out):
    body = json.dumps({"sql": sql})
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    times, failures = [], 0
    start = time.perf_counter()
    cpu0 = time.process_time()
    while time.perf_counter() - start < seconds:
        t = time.perf_counter()
        try:
            conn.request("POST", "/api/v4/node/query", body, headers)
            r = conn.getresponse()
            r.read()
            if r.status != 200:
                failures += 1
                continue
            times.append(time.perf_counter() - t)
        except (OSError, http.client.HTTPException):
            failures += 1
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    out.put((times, failures, time.process_time() - cpu0))


def throughput(fleet, active, clients, seconds, sql):
    for n in fleet.nodes:
        state = "ready" if n in active else "maint"
        fleet.haproxy.command(f"set server nodes_http/{n.name} state {state}")
    time.sleep(1)
    procs = {n.name: n.proc.pid for n in fleet.nodes}
    procs["haproxy"] = fleet.haproxy.proc.pid
    procs["s3"] = fleet.s3.proc.pid
    before = {k: cpu_seconds(p) for k, p in procs.items()}
    pg_before = postgres_cpu(fleet)
    machine_before = machine_busy()
    out = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=client, args=(fleet.haproxy.http_port, fleet.token, sql, seconds, out))
               for _ in range(clients)]
    t0 = time.perf_counter()
    for w in workers:
        w.start()
    results = [out.get() for _ in workers]
    for w in workers:
        w.join()
    wall = time.perf_counter() - t0
    times = sorted(t for r in results for t in r[0])
    cpu = {k: (cpu_seconds(p) - before[k]) / wall for k, p in procs.items()}
    cpu["postgres"] = (postgres_cpu(fleet) - pg_before) / wall
    cpu["clients"] = sum(r[2] for r in results) / wall
    cpu["machine"] = (machine_busy() - machine_before) / wall  # every process, this benchmark's or not
    return {"nodes": len(active), "queries": len(times), "failures": sum(r[1] for r in results),
            "qps": round(len(times) / wall, 1), "p50_ms": round(statistics.median(times) * 1000, 2),
            "p99_ms": round(times[int(len(times) * 0.99)] * 1000, 2),
            "cpu_cores": {k: round(v, 2) for k, v in cpu.items()}}


def overhead(fleet, requests_, sql):
    node1 = fleet.nodes[0]
    for n in fleet.nodes:
        fleet.haproxy.command(f"set server nodes_http/{n.name} state {'ready' if n is node1 else 'maint'}")
    time.sleep(1)
    body = json.dumps({"sql": sql})
    headers = {"Authorization": f"Bearer {fleet.token}", "Content-Type": "application/json"}
    conns = {"direct": http.client.HTTPConnection("127.0.0.1", node1.port + 1, timeout=60),
             "haproxy": http.client.HTTPConnection("127.0.0.1", fleet.haproxy.http_port, timeout=60)}
    times = {k: [] for k in conns}
    for i in range(requests_ + 20):
        for k, conn in conns.items():
            t = time.perf_counter()
            conn.request("POST", "/api/v4/node/query", body, headers)
            r = conn.getresponse()
            r.read()
            assert r.status == 200, r.status
            if i >= 20:  # warm-up
                times[k].append(time.perf_counter() - t)
    p50 = {k: statistics.median(v) * 1000 for k, v in times.items()}
    return {"requests": requests_, "direct_p50_ms": round(p50["direct"], 3), "haproxy_p50_ms": round(p50["haproxy"], 3),
            "overhead_ms": round(p50["haproxy"] - p50["direct"], 3)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--clients", type=int, default=6)
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--query", choices=sorted(QUERIES), action="append", help="(default: every one)")
    ap.add_argument("--fill-seconds", type=float, default=10, help="HEP sent to the writer before measuring")
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="homer-bench-fleet-"))
    with Fleet(root, writers=1, nodes=3, flush_interval_sec=2) as fleet:
        sender = fleet.writers[0].send(args.fill_seconds, 2000, "bench")
        sender.communicate()
        flushed = fleet.writers[0].wait_flushed()
        print(f"lake: {flushed} rows (one writer, now idle); {os.cpu_count()} cores", flush=True)
        for name in args.query or sorted(QUERIES):
            sql = QUERIES[name]
            print(f"{name}: {sql}", flush=True)
            for k in (1, 2, 3):
                print(json.dumps(throughput(fleet, fleet.nodes[:k], args.clients, args.seconds, sql)), flush=True)
            print(json.dumps(overhead(fleet, args.requests, sql)), flush=True)
        for n in fleet.nodes:
            fleet.haproxy.command(f"set server nodes_http/{n.name} state ready")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
