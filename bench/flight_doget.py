#!/usr/bin/env python3
"""bench/flight_doget: rows through Arrow Flight DoGet into pyarrow, against DuckDB's own
in-process Arrow export of the same query in the same run.

Two tables of the benchmark lake (bench/.lake, shared with bench/http_query.py):
  - hep_proto_1_call of the merged lake (strings, a JSON column, timestamps);
  - bench_numeric, a numbers-only table (added to the hot volume by this script, once).
For each: one DoGet stream of `SELECT ... LIMIT rows` (GetFlightInfo on the SQL), then a scan
split into parallel endpoints by the Airport `endpoints` action (as DuckDB's Airport client
reads a table: every endpoint in its own thread). Reported: rows/s, MB/s (the rows' Arrow size)
and ratio = Flight rows/s / in-process rows/s for the same rows; each is the best of --repeat
runs, as the machine may be shared.

Usage: bench/flight_doget.py [--rows 10000000] [--tables numeric,hep_proto_1_call] [--lake DIR]
"""
import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import LAKE, ensure_lake, peak_rss, volumes  # noqa: E402
from conftest import start_node, writer_connection  # noqa: E402

import pyarrow.flight as flight  # noqa: E402
from airport_client import AirportClient, Filters, cmp, const  # noqa: E402

NUMERIC = "bench_numeric"


def ensure_numeric_table(lake_dir, rows):
    """bench_numeric in the hot volume: `rows` rows of integers, doubles and a timestamp."""
    hot = volumes(lake_dir)[0]
    con = writer_connection()
    con.execute(f"ATTACH 'ducklake:sqlite:{hot['catalog_path']}' AS w (DATA_PATH '{hot['path']}')")
    have = con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = 'w' AND table_name = ?",
                       [NUMERIC]).fetchone()[0]
    if not have or con.execute(f"SELECT count(*) FROM w.{NUMERIC}").fetchone()[0] < rows:
        print(f"writing {rows:,} rows of {NUMERIC} (once) ...", flush=True)
        con.execute(f"CREATE OR REPLACE TABLE w.{NUMERIC} AS SELECT i AS id, (i * 7) % 1000003 AS a, "
                    f"i * 0.25 AS x, (i % 65536)::UINTEGER AS port, -i AS neg, random() AS r, "
                    f"TIMESTAMP '2026-01-01' + INTERVAL (i) MILLISECOND AS timestamp FROM range({rows}) t(i)")
    con.close()


def in_process_connection():
    con = writer_connection()
    con.execute("SET threads = 2")
    for v in volumes():
        con.execute(f"ATTACH 'ducklake:sqlite:{v['catalog_path']}' AS homer_lake_{v['name']} "
                    f"(DATA_PATH '{v['path']}', READ_ONLY)")
    return con


def best_of(repeat, run):
    """The fastest of `repeat` runs: the machine is shared, the minimum is the least disturbed."""
    return min((run() for _ in range(repeat)), key=lambda r: r[0])


def in_process(sql):
    """DuckDB's Arrow export in-process: the query's record batch reader, drained."""
    con = in_process_connection()
    start = time.perf_counter()
    rows = nbytes = 0
    for batch in con.execute(sql).to_arrow_reader(65536):
        rows += batch.num_rows
        nbytes += batch.nbytes
    secs = time.perf_counter() - start
    con.close()
    return secs, rows, nbytes


def drain(reader):
    rows = nbytes = 0
    for chunk in reader:
        rows += chunk.data.num_rows
        nbytes += chunk.data.nbytes
    return rows, nbytes


def flight_single(node, sql):
    client = flight.FlightClient(f"grpc://127.0.0.1:{node.port}")
    options = flight.FlightCallOptions(headers=[(b"authorization", f"Bearer {node.token}".encode())])
    start = time.perf_counter()
    info = client.get_flight_info(flight.FlightDescriptor.for_command(sql.encode()), options)
    rows, nbytes = drain(client.do_get(info.endpoints[0].ticket, options))
    secs = time.perf_counter() - start
    client.close()
    return secs, rows, nbytes


def flight_parallel(node, schema_name, table_name, json_filters_for):
    """The Airport client's way: endpoints action, then every endpoint read in its own thread."""
    client = AirportClient(f"grpc://127.0.0.1:{node.port}", node.token)
    table = client.list_schemas().schemas[schema_name][table_name]
    ids = list(range(len(table.schema)))
    start = time.perf_counter()
    endpoints = client.endpoints(table, ids, json_filters_for(table.schema, ids))
    totals = [(0, 0)] * len(endpoints)

    def read(i, endpoint):
        reader = client.client.do_get(endpoint.ticket, client.options)
        totals[i] = drain(reader)

    threads = [threading.Thread(target=read, args=(i, e)) for i, e in enumerate(endpoints)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    secs = time.perf_counter() - start
    client.close()
    return secs, sum(r for r, _ in totals), sum(b for _, b in totals), len(endpoints)


def report(label, secs, rows, row_bytes, base):
    """MB/s counts the rows' Arrow size as DuckDB exports them in-process (the same data)."""
    rate = rows / secs
    ratio = rate / (base[1] / base[0])
    print(f"  {label:<34} {rows:>11,} rows {secs:7.2f} s {rate:>12,.0f} rows/s {rate * row_bytes / 1e6:8.1f} MB/s "
          f"ratio {ratio:.2f}", flush=True)
    return {"label": label, "rows": rows, "seconds": secs, "rows_per_s": rate, "mb_per_s": rate * row_bytes / 1e6,
            "ratio": ratio}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--lake", default=str(LAKE))
    ap.add_argument("--tables", default="numeric,hep_proto_1_call")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the fastest counts")
    args = ap.parse_args()
    lake_dir = Path(args.lake)
    ensure_lake(lake_dir)
    ensure_numeric_table(lake_dir, args.rows)
    node = start_node(Path(tempfile.mkdtemp()), volumes(lake_dir), token="bench", memory_limit="4GB", refresh=30)
    results = {}
    try:
        con = in_process_connection()
        hep_rows = con.execute("SELECT count(*) FROM (SELECT * FROM homer_lake_hot.main.hep_proto_1_call UNION ALL "
                               "SELECT * FROM homer_lake_cold.main.hep_proto_1_call)").fetchone()[0]
        # The timestamp that leaves about `rows` hep rows after it, for the parallel scan.
        cutoff = con.execute(
            "SELECT epoch_us(min(timestamp)) FROM (SELECT timestamp FROM (SELECT timestamp FROM "
            "homer_lake_hot.main.hep_proto_1_call UNION ALL SELECT timestamp FROM homer_lake_cold.main.hep_proto_1_call) "
            f"ORDER BY timestamp DESC LIMIT {min(args.rows, hep_rows)})").fetchone()[0]
        con.close()
        union = ("(SELECT * FROM homer_lake_hot.main.hep_proto_1_call UNION ALL "
                 "SELECT * FROM homer_lake_cold.main.hep_proto_1_call)")
        workloads = [
            ("numeric", f"SELECT * FROM homer_lake_hot.main.{NUMERIC} LIMIT {args.rows}",
             f"SELECT * FROM homer_lake_hot.main.{NUMERIC} LIMIT {args.rows}",
             f"homer_lake_hot", NUMERIC, lambda schema, ids: "",
             f"SELECT * FROM homer_lake_hot.main.{NUMERIC}"),
            ("hep_proto_1_call",
             f"SELECT * EXCLUDE (storage_volume, storage_lake) FROM homer_lake.main.hep_proto_1_call LIMIT {args.rows}",
             f"SELECT * FROM {union} LIMIT {args.rows}",
             "homer_lake", "hep_proto_1_call",
             lambda schema, ids: Filters(schema, ids).json(cmp("GREATERTHANOREQUALTO",
                                                               Filters(schema, ids).col("timestamp", "TIMESTAMP"),
                                                               const("TIMESTAMP", cutoff))),
             f"SELECT *, 'x' AS storage_volume, 'y' AS storage_lake FROM {union} "
             f"WHERE timestamp >= make_timestamp({cutoff}::BIGINT)"),
        ]
        for name, flight_sql, local_sql, schema_name, table_name, filters, local_scan_sql in workloads:
            if name not in args.tables.split(","):
                continue
            print(f"{name}:", flush=True)
            flight_single(node, flight_sql.replace(str(args.rows), "100000"))  # warm the file cache
            base = best_of(args.repeat, lambda: in_process(local_sql))
            print(f"  in-process DuckDB -> Arrow          {base[1]:>11,} rows {base[0]:7.2f} s "
                  f"{base[1] / base[0]:>12,.0f} rows/s {base[2] / base[0] / 1e6:8.1f} MB/s", flush=True)
            row_bytes = base[2] / base[1]
            secs, rows, _ = best_of(args.repeat, lambda: flight_single(node, flight_sql))
            runs = [report("Flight DoGet, 1 stream", secs, rows, row_bytes, base)]
            scan_base = best_of(args.repeat, lambda: in_process(local_scan_sql))
            print(f"  in-process, the scan                {scan_base[1]:>11,} rows {scan_base[0]:7.2f} s "
                  f"{scan_base[1] / scan_base[0]:>12,.0f} rows/s", flush=True)
            secs, rows, _, n = best_of(args.repeat, lambda: flight_parallel(node, schema_name, table_name, filters))
            runs.append(report(f"Airport endpoints, {n} in parallel", secs, rows, row_bytes, scan_base))
            results[name] = {"in_process": {"seconds": base[0], "rows": base[1], "mb": base[2] / 1e6},
                             "in_process_scan": {"seconds": scan_base[0], "rows": scan_base[1]}, "flight": runs}
        results["server_peak_rss_mb"] = peak_rss(node.proc.pid) / 1e6
        print(json.dumps(results, indent=2))
    finally:
        node.stop()


if __name__ == "__main__":
    main()
