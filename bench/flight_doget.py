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
from arrow_scans import (HEP_UNION, NUMERIC, best_of, ensure_numeric_table, in_process,  # noqa: E402
                         newest_hep_cutoff, print_base, report, single_stream_queries)
from common import LAKE, ensure_lake, peak_rss, volumes  # noqa: E402
from conftest import start_node  # noqa: E402

import pyarrow.flight as flight  # noqa: E402
from airport_client import AirportClient, Filters, cmp, const  # noqa: E402

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
        cutoff = newest_hep_cutoff(args.rows)
        union = HEP_UNION
        single = single_stream_queries(args.rows)
        workloads = [
            ("numeric", *single["numeric"], "homer_lake_hot", NUMERIC, lambda schema, ids: "",
             f"SELECT * FROM homer_lake_hot.main.{NUMERIC}"),
            ("hep_proto_1_call", *single["hep_proto_1_call"], "homer_lake", "hep_proto_1_call",
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
            print_base("in-process DuckDB -> Arrow", base)
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
