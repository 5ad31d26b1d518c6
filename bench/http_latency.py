#!/usr/bin/env python3
"""bench/http_latency: p50/p99 of `SELECT 1` over the HTTP API, on one kept-alive connection and on
a new connection per request, then again while 3 x http.threads connections trickle header bytes.

Usage: bench/http_latency.py [--requests 2000] [--binary build/homer-node]
"""
import argparse
import http.client
import json
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402,F401  (puts tests/integration on the path)
import conftest  # noqa: E402

THREADS = 8


def timed(node, n, keep_alive):
    body = json.dumps({"sql": "SELECT 1"})
    headers = {"Authorization": f"Bearer {node.token}", "Content-Type": "application/json"}
    port = node.port + 1
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    times, failures = [], 0
    for _ in range(n):
        if not keep_alive:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        start = time.perf_counter()
        try:
            conn.request("POST", "/api/v4/node/query", body, headers)
            r = conn.getresponse()
            r.read()
            assert r.status == 200
            times.append(time.perf_counter() - start)
        except (OSError, http.client.HTTPException, AssertionError):
            failures += 1
            if failures >= 5 and not times:
                break  # the API is unreachable: no point waiting out every timeout
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        if not keep_alive:
            conn.close()
    return times, failures


def report(label, times, failures):
    if not times:
        print(f"{label:<34} all {failures} requests failed")
        return {"label": label, "failures": failures}
    q = statistics.quantiles(times, n=100)
    p50, p99 = statistics.median(times) * 1e3, q[98] * 1e3
    print(f"{label:<34} p50 {p50:6.3f} ms  p99 {p99:6.3f} ms  failures {failures}")
    return {"label": label, "p50_ms": p50, "p99_ms": p99, "failures": failures}


def trickle(node, count, stop):
    sockets = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", node.port + 1))
        s.sendall(b"GET /health HTTP/1.1\r\nX-Slow: ")
        sockets.append(s)
    while not stop.wait(0.5):
        for s in sockets:
            try:
                s.send(b"x")
            except OSError:
                pass
    for s in sockets:
        s.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--binary", default=str(conftest.BINARY))
    args = ap.parse_args()
    conftest.BINARY = Path(args.binary).resolve()
    tmp = Path(tempfile.mkdtemp())
    lake = conftest.Lake(tmp)
    volume = lake.volume("hot")
    w = lake.writer(volume)
    w.execute("CREATE TABLE w.t (a INTEGER)")
    w.close()
    node = conftest.start_node(tmp, [volume], env={"HOMER_NODE_HTTP_THREADS": str(THREADS)})
    try:
        timed(node, 200, True)  # warm up
        results = [report("keep-alive", *timed(node, args.requests, True)),
                   report("new connection per request", *timed(node, args.requests // 2, False))]
        stop = threading.Event()
        slow = threading.Thread(target=trickle, args=(node, 3 * THREADS, stop))
        slow.start()
        time.sleep(1)
        results.append(report(f"keep-alive, {3 * THREADS} slowloris conns", *timed(node, args.requests // 4, True)))
        stop.set()
        slow.join()
        print(json.dumps({"binary": str(conftest.BINARY), "threads": THREADS, "results": results}))
    finally:
        node.stop()


if __name__ == "__main__":
    main()
