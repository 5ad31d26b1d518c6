"""Soak: 16 clients over HTTP, Flight and Flight SQL, an external DuckLake writer committing to the
hot volume every second, and catalog refreshes, for --minutes (30 by default). Reports failed
queries per surface, the writer's failed commits, p50/p99 per 5-minute window, and the slopes of
the node's RSS and open file descriptors (least squares over samples every 5 s; also after
--warmup-minutes, once the node's caches and connections have filled).

Once a minute the writer merges the files it wrote, as a writer's maintenance does: without it the
hot volume gains a file a second, and every query that reads the table opens them all (p50 0.7 ->
2.4 s over 30 minutes: a lake that grows, not a node that degrades). Expiring and removing the old
files is left out: DuckLake 1.5.5 compares a sqlite catalog's times as text, so a cutoff within
today removes files scheduled a moment ago, still read by queries (lake/maintenance.cc).

    .deps/venv/bin/python bench/soak.py [--minutes 30] [--clients 16] [--calls 20000]

Failures a client asked for do not count: none are asked for here (no timeouts, no cancels).
The lake is a demo lake in a temporary folder (3 days, 1 hot)."""
import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
from conftest import BINARY, start_node, writer_connection  # noqa: E402

import pyarrow.flight as flight  # noqa: E402

QUERIES = [
    "SELECT method, count(*) AS n FROM homer_lake.main.hep_proto_1_call GROUP BY ALL ORDER BY n DESC",
    "SELECT * FROM homer_lake.main.hep_proto_1_call WHERE session_id = '{call_id}' ORDER BY timestamp",
    "SELECT count(*) FROM homer_lake.main.hep_proto_1_call WHERE timestamp > now() - INTERVAL 1 HOUR",
    "SELECT uuid, timestamp, method FROM homer_lake.main.hep_proto_1_call ORDER BY timestamp DESC LIMIT 200",
    "SELECT date_trunc('minute', timestamp) AS m, count(*) FROM homer_lake.main.hep_proto_1_call "
    "WHERE timestamp > now() - INTERVAL 1 DAY GROUP BY ALL ORDER BY m",
]


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples = []  # (time, surface, seconds, ok, error)

    def add(self, surface, seconds, error=None):
        with self.lock:
            self.samples.append((time.time(), surface, seconds, error is None, error))


def client_loop(kind, node, stop, rec, call_ids):
    headers = [(b"authorization", f"Bearer {node.token}".encode())]
    fl = flight.FlightClient(f"grpc://127.0.0.1:{node.port}") if kind == "flight" else None
    conn = node.adbc() if kind == "flightsql" else None
    while not stop.is_set():
        sql = random.choice(QUERIES).format(call_id=random.choice(call_ids))
        start = time.time()
        try:
            if kind == "http":
                r = node.post("/api/v4/node/query", {"sql": sql})
                if r.status_code != 200 or not r.text.endswith("}}"):
                    raise RuntimeError(f"{r.status_code} {r.text[:200]}")
            elif kind == "flight":
                options = flight.FlightCallOptions(headers=headers)
                info = fl.get_flight_info(flight.FlightDescriptor.for_command(sql.encode()), options)
                for endpoint in info.endpoints:
                    fl.do_get(endpoint.ticket, options).read_all()
            else:
                with conn.cursor() as cur:
                    cur.execute(sql)
                    cur.fetch_arrow_table()
            rec.add(kind, time.time() - start)
        except Exception as e:  # every failure is counted and kept
            rec.add(kind, time.time() - start, str(e)[:300])
    if conn:
        conn.close()


MERGE = "CALL ducklake_merge_adjacent_files('w')"


def writer_loop(hot, stop, result):
    con = writer_connection()
    con.execute(f"ATTACH 'ducklake:sqlite:{hot['catalog_path']}' AS w (DATA_PATH '{hot['path']}')")
    n = 0
    while not stop.is_set():
        start = time.time()
        try:
            con.execute("INSERT INTO w.hep_proto_1_call (uuid, date, timestamp, session_id, method) "
                        f"SELECT 'soak-{n}-' || i, current_date, now()::TIMESTAMP, 'soak-{n}', 'OPTIONS' "
                        "FROM range(100) t(i)")
            result["ok"] += 1
        except Exception as e:
            result["failed"] += 1
            result["errors"].append(str(e)[:200])
        if n % 60 == 59:
            try:
                con.execute(MERGE)
                result["merges"] += 1
            except Exception as e:
                result["failed"] += 1
                result["errors"].append(f"{MERGE}: {str(e)[:200]}")
        n += 1
        stop.wait(max(0.0, 1.0 - (time.time() - start)))
    con.close()


def slope(points):
    """Least-squares slope of (t, v) points, per minute."""
    if len(points) < 2:
        return 0.0
    ts = [p[0] for p in points]
    vs = [p[1] for p in points]
    mt, mv = statistics.fmean(ts), statistics.fmean(vs)
    den = sum((t - mt) ** 2 for t in ts)
    return 60 * sum((t - mt) * (v - mv) for t, v in zip(ts, vs)) / den if den else 0.0


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--calls", type=int, default=20000)
    ap.add_argument("--warmup-minutes", type=float, default=2)
    ap.add_argument("--json", help="write the report here too")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="homer-soak-"))
    lake = tmp / "lake"
    subprocess.run([str(BINARY), "demo-lake", "--dir", str(lake), "--days", "3", "--hot-days", "1",
                    "--calls", str(args.calls)], check=True, stdout=subprocess.DEVNULL)
    vols = [{"name": "hot", "catalog_path": str(lake / "homer_lake.sqlite"), "path": str(lake / "data/hot") + "/"},
            {"name": "cold", "catalog_path": str(lake / "homer_lake_cold.sqlite"),
             "path": str(lake / "data/cold") + "/"}]
    node = start_node(tmp, vols, flightsql={}, refresh=1, threads=2, memory_limit="2GB")
    call_ids = [r[0] for r in node.rows("SELECT DISTINCT session_id FROM homer_lake.main.hep_proto_1_call "
                                         "USING SAMPLE 200 ROWS")]
    rec, stop = Recorder(), threading.Event()
    writes = {"ok": 0, "failed": 0, "merges": 0, "errors": []}
    kinds = ["http", "flight", "flightsql"]
    threads = [threading.Thread(target=client_loop, args=(kinds[i % 3], node, stop, rec, call_ids))
               for i in range(args.clients)]
    threads.append(threading.Thread(target=writer_loop, args=(vols[0], stop, writes)))
    for t in threads:
        t.start()
    rss, fds = [], []
    warm = time.time() + args.warmup_minutes * 60
    end = time.time() + args.minutes * 60
    try:
        while time.time() < end:
            now = time.time()
            rss.append((now, node.rss_bytes() / 2**20))
            fds.append((now, len(os.listdir(f"/proc/{node.proc.pid}/fd"))))
            time.sleep(5)
    finally:
        stop.set()
        for t in threads:
            t.join()
        node.stop()

    start = rec.samples[0][0] if rec.samples else time.time()
    windows = {}
    for t, surface, seconds, ok, _ in rec.samples:
        if ok:
            windows.setdefault(int((t - start) // 300), []).append(seconds)
    report = {
        "minutes": args.minutes, "clients": args.clients,
        "queries": {k: sum(1 for s in rec.samples if s[1] == k) for k in kinds},
        "failed": {k: sum(1 for s in rec.samples if s[1] == k and not s[3]) for k in kinds},
        "first_errors": [s[4] for s in rec.samples if not s[3]][:5],
        "writer_commits": {"ok": writes["ok"], "failed": writes["failed"], "merges": writes["merges"],
                           "first_errors": writes["errors"][:5]},
        "latency_ms_per_5min": [{"window": w, "p50": round(1000 * percentile(v, 0.5), 1),
                                 "p99": round(1000 * percentile(v, 0.99), 1), "n": len(v)}
                                for w, v in sorted(windows.items())],
        "rss_mb": {"first": round(rss[0][1]), "last": round(rss[-1][1]), "slope_mb_per_min": round(slope(rss), 3),
                   "slope_after_warmup": round(slope([p for p in rss if p[0] >= warm]), 3),
                   "max_after_warmup": round(max([p[1] for p in rss if p[0] >= warm], default=0))},
        "open_fds": {"first": fds[0][1], "last": fds[-1][1], "slope_per_min": round(slope(fds), 3),
                     "slope_after_warmup": round(slope([p for p in fds if p[0] >= warm]), 3)},
    }
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text)
    return 0 if not any(report["failed"].values()) and not writes["failed"] else 1


if __name__ == "__main__":
    sys.exit(main())
