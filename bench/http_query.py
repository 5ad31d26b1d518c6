#!/usr/bin/env python3
"""bench/http_query: stream hep_proto_1_call rows as JSON over the HTTP API.

Reports rows/s, MB/s and the server's peak RSS, and the ratio against DuckDB writing the same
rows as JSON in-process (COPY ... TO (FORMAT JSON)) in the same run. Then 8 concurrent clients
against one. Usage: bench/http_query.py [--rows 1000000,10000000] [--lake DIR]
"""
import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import LAKE, ensure_lake, peak_rss, volumes  # noqa: E402
from conftest import start_node, writer_connection  # noqa: E402


def sql_for(rows):
    return f"SELECT * EXCLUDE (storage_volume, storage_lake) FROM homer_lake.main.hep_proto_1_call LIMIT {rows}"


def in_process(lake_dir: Path, rows: int):
    """DuckDB itself: the same rows written as a JSON array by COPY, same threads."""
    con = writer_connection()
    con.execute("SET threads = 2")
    for v in volumes(lake_dir):
        con.execute(f"ATTACH 'ducklake:sqlite:{v['catalog_path']}' AS homer_lake_{v['name']} "
                    f"(DATA_PATH '{v['path']}', READ_ONLY)")
    union = ("(SELECT * FROM homer_lake_hot.main.hep_proto_1_call UNION ALL "
             "SELECT * FROM homer_lake_cold.main.hep_proto_1_call)")
    out = Path(tempfile.mkdtemp()) / "out.json"
    start = time.perf_counter()
    con.execute(f"COPY (SELECT * FROM {union} LIMIT {rows}) TO '{out}' (FORMAT JSON, ARRAY true)")
    secs = time.perf_counter() - start
    size = out.stat().st_size
    out.unlink()
    con.close()
    return secs, size


def curl_query(node, sql):
    """Stream one query's JSON into /dev/null with curl; (seconds, bytes)."""
    body = json.dumps({"sql": sql})
    start = time.perf_counter()
    r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", "-X", "POST",
                        "-H", f"Authorization: Bearer {node.token}", "-H", "Content-Type: application/json",
                        "--data-binary", body, node.http + "/api/v4/node/query"], capture_output=True, text=True)
    secs = time.perf_counter() - start
    code, size = r.stdout.split()
    assert code == "200", r.stdout
    return secs, int(size)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", default="1000000,10000000")
    ap.add_argument("--lake", default=str(LAKE))
    ap.add_argument("--clients", type=int, default=8)
    args = ap.parse_args()
    lake_dir = Path(args.lake)
    ensure_lake(lake_dir)
    tmp = Path(tempfile.mkdtemp())
    node = start_node(tmp, volumes(lake_dir), token="bench", memory_limit="4GB", refresh=30)
    try:
        total = node.rows("SELECT count(*) FROM homer_lake.main.hep_proto_1_call")[0][0]
        print(f"lake: {total:,} hep_proto_1_call rows")
        results = []
        for rows in [int(x) for x in args.rows.split(",")]:
            rows = min(rows, total)
            curl_query(node, sql_for(min(rows, 100_000)))  # warm the file cache
            base_s, base_bytes = in_process(lake_dir, rows)
            secs, size = curl_query(node, sql_for(rows))
            rss = peak_rss(node.proc.pid)
            ratio = (rows / secs) / (rows / base_s)
            results.append({"rows": rows, "seconds": secs, "rows_per_s": rows / secs, "mb_per_s": size / secs / 1e6,
                            "bytes": size, "peak_rss_mb": rss / 1e6, "in_process_seconds": base_s,
                            "in_process_rows_per_s": rows / base_s, "in_process_mb_per_s": base_bytes / base_s / 1e6,
                            "ratio": ratio})
            r = results[-1]
            print(f"{rows:>11,} rows  http {r['rows_per_s']:>11,.0f} rows/s {r['mb_per_s']:7.1f} MB/s  "
                  f"in-process {r['in_process_rows_per_s']:>11,.0f} rows/s {r['in_process_mb_per_s']:7.1f} MB/s  "
                  f"ratio {ratio:.2f}  peak RSS {r['peak_rss_mb']:.0f} MB", flush=True)

        rows = min(1_000_000, total)
        one_s, one_bytes = curl_query(node, sql_for(rows))
        times = [None] * args.clients

        def client(i):
            times[i] = curl_query(node, sql_for(rows))

        start = time.perf_counter()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - start
        one_rate = rows / one_s
        many_rate = rows * args.clients / wall
        print(f"concurrency: 1 client {one_rate:,.0f} rows/s; {args.clients} clients {many_rate:,.0f} rows/s "
              f"aggregate = {many_rate / one_rate:.2f}x")
        summary = {"runs": results, "one_client_rows_per_s": one_rate, "clients": args.clients,
                   "many_clients_rows_per_s": many_rate, "concurrency_gain": many_rate / one_rate}
        print(json.dumps(summary, indent=2))
    finally:
        node.stop()


if __name__ == "__main__":
    main()
