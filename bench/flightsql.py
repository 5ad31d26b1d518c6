#!/usr/bin/env python3
"""bench/flightsql: the Flight benchmark's 10M-row scans through Flight SQL with the real ADBC
driver, against DuckDB's in-process Arrow export of the same rows in the same run, and the
round trip of `select 1`.

Scans (tables as in bench/flight_doget.py, on bench/.lake): ADBC execute + fetch of the record
batch stream (GetFlightInfo, then DoGet of the one endpoint), and the same two calls from
pyarrow.flight, reported as rows/s, MB/s (the rows' Arrow size) and ratio = Flight SQL rows/s /
in-process rows/s; each is the best of --repeat runs. Client and server share the machine's
cores, so a client's own CPU shows in its ratio (ADBC's Go driver uses about 2.5x pyarrow's).

Round trip: --calls executions of `select 1`, each a full query (GetFlightInfo + DoGet + reading
the result), p50 and p99 in ms, by three clients: arrow-go's flightsql client (Grafana's health
check, tests/clients/grafana), pyarrow.flight (the two RPCs from Python) and ADBC from Python
(what scripts use; the driver adds its own per-statement work).

Usage: bench/flightsql.py [--rows 10000000] [--tables numeric,hep_proto_1_call] [--calls 1000]
"""
import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from arrow_scans import (best_of, ensure_numeric_table, in_process, print_base, report,  # noqa: E402
                         single_stream_queries)
from common import LAKE, ensure_lake, peak_rss, volumes  # noqa: E402
from conftest import DEPS, start_node  # noqa: E402

import pyarrow.flight as flight  # noqa: E402
from test_flightsql import statement_query  # noqa: E402


def adbc_scan(node, sql):
    with node.adbc() as conn, conn.cursor() as cur:
        start = time.perf_counter()
        cur.execute(sql)
        rows = nbytes = 0
        for batch in cur.fetch_record_batch():
            rows += batch.num_rows
            nbytes += batch.nbytes
        return time.perf_counter() - start, rows, nbytes


def raw_scan(node, sql):
    """The same query through pyarrow.flight (C++ client): what the server does, with a lighter
    client than ADBC's Go driver on the same cores."""
    client = flight.FlightClient(f"grpc://127.0.0.1:{node.flightsql_port}")
    options = flight.FlightCallOptions(headers=[(b"authorization", f"Bearer {node.token}".encode())])
    start = time.perf_counter()
    info = client.get_flight_info(flight.FlightDescriptor.for_command(statement_query(sql)), options)
    rows = nbytes = 0
    for chunk in client.do_get(info.endpoints[0].ticket, options):
        rows += chunk.data.num_rows
        nbytes += chunk.data.nbytes
    secs = time.perf_counter() - start
    client.close()
    return secs, rows, nbytes


def percentiles(samples):
    samples = sorted(samples)
    return {"p50_ms": statistics.median(samples) * 1e3, "p99_ms": samples[int(len(samples) * 0.99) - 1] * 1e3,
            "calls": len(samples)}


def select_1_go(node, calls):
    out = subprocess.run([str(DEPS / "bin" / "grafana-flightsql-client"), "-addr",
                          f"127.0.0.1:{node.flightsql_port}", "-token", node.token, "-mode", "latency",
                          "-calls", str(calls)], check=True, capture_output=True, text=True).stdout
    return json.loads(out)["latency"]


def select_1_adbc(node, calls):
    times = []
    with node.adbc() as conn, conn.cursor() as cur:
        for _ in range(calls + 20):
            start = time.perf_counter()
            cur.execute("select 1")
            assert cur.fetchall() == [(1,)]
            times.append(time.perf_counter() - start)
    return percentiles(times[20:])  # after warm-up


def select_1_raw(node, calls):
    client = flight.FlightClient(f"grpc://127.0.0.1:{node.flightsql_port}")
    options = flight.FlightCallOptions(headers=[(b"authorization", f"Bearer {node.token}".encode())])
    descriptor = flight.FlightDescriptor.for_command(statement_query("select 1"))
    times = []
    for _ in range(calls + 20):
        start = time.perf_counter()
        info = client.get_flight_info(descriptor, options)
        table = client.do_get(info.endpoints[0].ticket, options).read_all()
        times.append(time.perf_counter() - start)
        assert table.num_rows == 1
    client.close()
    return percentiles(times[20:])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--lake", default=str(LAKE))
    ap.add_argument("--tables", default="numeric,hep_proto_1_call")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each scan; the fastest counts")
    ap.add_argument("--calls", type=int, default=1000, help="select 1 round trips")
    args = ap.parse_args()
    lake_dir = Path(args.lake)
    ensure_lake(lake_dir)
    ensure_numeric_table(lake_dir, args.rows)
    node = start_node(Path(tempfile.mkdtemp()), volumes(lake_dir), token="bench", memory_limit="4GB", refresh=30,
                      flightsql={})
    results = {}
    try:
        print("select 1 round trip:", flush=True)
        for label, run in (("arrow-go", select_1_go), ("pyarrow.flight", select_1_raw), ("ADBC", select_1_adbc)):
            results[f"select_1_{label}"] = r = run(node, args.calls)
            print(f"  {label:<16} p50 {r['p50_ms']:.3f} ms  p99 {r['p99_ms']:.3f} ms  ({r['calls']} calls)", flush=True)
        for name, (node_sql, local_sql) in single_stream_queries(args.rows).items():
            if name not in args.tables.split(","):
                continue
            print(f"{name}:", flush=True)
            adbc_scan(node, node_sql.replace(str(args.rows), "100000"))  # warm the file cache
            base = best_of(args.repeat, lambda: in_process(local_sql))
            print_base("in-process DuckDB -> Arrow", base)
            runs = []
            for label, scan in (("Flight SQL via ADBC, 1 stream", adbc_scan),
                                ("Flight SQL via pyarrow, 1 stream", raw_scan)):
                secs, rows, _ = best_of(args.repeat, lambda: scan(node, node_sql))
                runs.append(report(label, secs, rows, base[2] / base[1], base))
            results[name] = {"in_process": {"seconds": base[0], "rows": base[1], "mb": base[2] / 1e6},
                             "flightsql": runs}
        results["server_peak_rss_mb"] = peak_rss(node.proc.pid) / 1e6
        print(json.dumps(results, indent=2))
    finally:
        node.stop()


if __name__ == "__main__":
    main()
