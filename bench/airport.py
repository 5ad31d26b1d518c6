#!/usr/bin/env python3
"""bench/airport: DuckDB reading 10M rows from the node through the real Airport extension
(.deps/airport, built by bootstrap), against in-process DuckDB on the same lake and against
DuckDB's Quack protocol (a DuckDB server process with the lake attached, `quack_query` from the
client), in the same run. Every path drains the same rows into Arrow in a Python DuckDB client.

Two tables of the benchmark lake (bench/.lake, shared with the other benchmarks):
  - bench_numeric (hot volume): every row;
  - hep_proto_1_call of the merged lake: the newest --rows rows (a timestamp filter, pushed down).
Reported: rows/s, MB/s (the rows' Arrow size in-process), Airport / in-process and Airport /
Quack ratios; each the best of --repeat runs. Goal: Airport >= 0.8x in-process, >= 3x Quack.

Usage: bench/airport.py [--rows 10000000] [--tables numeric,hep_proto_1_call] [--repeat 3]
"""
import argparse
import json
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from arrow_scans import (HEP_UNION, NUMERIC, best_of, ensure_numeric_table, in_process,  # noqa: E402
                         in_process_connection, newest_hep_cutoff, print_base, report)
from common import LAKE, ensure_lake, peak_rss, volumes  # noqa: E402
from conftest import start_node, writer_connection  # noqa: E402

from airport_duckdb import airport_connection, attach  # noqa: E402


def drain(con, sql):
    """(seconds, rows, Arrow bytes) of `sql` read as Arrow batches by a DuckDB client."""
    start = time.perf_counter()
    rows = nbytes = 0
    for batch in con.execute(sql).to_arrow_reader(65536):
        rows += batch.num_rows
        nbytes += batch.nbytes
    return time.perf_counter() - start, rows, nbytes


def serve_quack(port, token):
    """The Quack server: DuckDB with the lake attached as the node attaches it, until stdin closes."""
    con = in_process_connection()
    con.execute("LOAD quack")
    con.execute(f"CALL quack_serve('quack:localhost:{port}', token = '{token}')")
    print("ready", flush=True)
    sys.stdin.read()


def start_quack():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = secrets.token_hex(16)
    proc = subprocess.Popen([sys.executable, __file__, "--quack-server", str(port), token],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready", "the Quack server did not start"
    return proc, f"quack:localhost:{port}", token


def quack_sql(uri, token, sql):
    quoted = sql.replace("'", "''")
    return f"FROM quack_query('{uri}', '{quoted}', token = '{token}')"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--tables", default="numeric,hep_proto_1_call")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the fastest counts")
    ap.add_argument("--quack-server", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.quack_server:
        return serve_quack(*args.quack_server)
    ensure_lake(LAKE)
    ensure_numeric_table(LAKE, args.rows)
    cutoff = newest_hep_cutoff(args.rows)
    node = start_node(Path(tempfile.mkdtemp()), volumes(LAKE), token="bench", memory_limit="4GB", refresh=30)
    quack, uri, token = start_quack()
    results = {}
    try:
        homer = attach(airport_connection(threads=2), node.port, node.token)
        client = writer_connection()
        client.execute("LOAD quack")
        since = f"timestamp >= make_timestamp({cutoff}::BIGINT)"
        workloads = {
            "numeric": (f"SELECT * FROM homer.homer_lake_hot.{NUMERIC}", f"SELECT * FROM homer_lake_hot.main.{NUMERIC}"),
            "hep_proto_1_call": (
                f"SELECT * FROM homer.homer_lake.hep_proto_1_call WHERE {since}",
                f"SELECT *, 'x' AS storage_volume, 'y' AS storage_lake FROM {HEP_UNION} WHERE {since}"),
        }
        for name in args.tables.split(","):
            airport_sql, local_sql = workloads[name]
            print(f"{name}:", flush=True)
            drain(homer, airport_sql + " LIMIT 100000")  # warm the file cache and the catalog
            base = best_of(args.repeat, lambda: in_process(local_sql))
            print_base("in-process DuckDB -> Arrow", base)
            row_bytes = base[2] / base[1]
            airport = report("DuckDB + Airport (node)", *best_of(args.repeat, lambda: drain(homer, airport_sql))[:2],
                             row_bytes, base)
            over_quack = report("DuckDB + Quack (DuckDB server)",
                                *best_of(args.repeat, lambda: drain(client, quack_sql(uri, token, local_sql)))[:2],
                                row_bytes, base)
            results[name] = {"in_process": {"seconds": base[0], "rows": base[1], "mb": base[2] / 1e6},
                             "airport": airport, "quack": over_quack,
                             "airport_over_quack": airport["rows_per_s"] / over_quack["rows_per_s"]}
            print(f"  Airport / Quack: {results[name]['airport_over_quack']:.2f}x", flush=True)
        results["server_peak_rss_mb"] = peak_rss(node.proc.pid) / 1e6
        print(json.dumps(results, indent=2))
    finally:
        quack.stdin.close()
        quack.wait(timeout=30)
        node.stop()


if __name__ == "__main__":
    main()
