"""The 10M-row Arrow scans shared by bench/flight_doget.py and bench/flightsql.py: the benchmark
tables, DuckDB's in-process Arrow export as the limit, and the report line."""
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import volumes  # noqa: E402
from conftest import writer_connection  # noqa: E402

NUMERIC = "bench_numeric"
HEP_UNION = ("(SELECT * FROM homer_lake_hot.main.hep_proto_1_call UNION ALL "
             "SELECT * FROM homer_lake_cold.main.hep_proto_1_call)")


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


def single_stream_queries(rows):
    """{table: (SQL sent to the node, the same rows in-process)}: one stream of `rows` rows each."""
    return {
        "numeric": (f"SELECT * FROM homer_lake_hot.main.{NUMERIC} LIMIT {rows}",
                    f"SELECT * FROM homer_lake_hot.main.{NUMERIC} LIMIT {rows}"),
        "hep_proto_1_call": (
            f"SELECT * EXCLUDE (storage_volume, storage_lake) FROM homer_lake.main.hep_proto_1_call LIMIT {rows}",
            f"SELECT * FROM {HEP_UNION} LIMIT {rows}"),
    }


def newest_hep_cutoff(rows):
    """The epoch-microsecond timestamp that leaves about `rows` hep_proto_1_call rows at or after it."""
    con = in_process_connection()
    cutoff = con.execute(f"SELECT epoch_us(min(timestamp)) FROM (SELECT timestamp FROM {HEP_UNION} "
                         f"ORDER BY timestamp DESC LIMIT {rows})").fetchone()[0]
    con.close()
    return cutoff


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
    """DuckDB's Arrow export in-process: the query's record batch reader, drained.
    Returns (seconds, rows, Arrow bytes)."""
    con = in_process_connection()
    start = time.perf_counter()
    rows = nbytes = 0
    for batch in con.execute(sql).to_arrow_reader(65536):
        rows += batch.num_rows
        nbytes += batch.nbytes
    secs = time.perf_counter() - start
    con.close()
    return secs, rows, nbytes


def print_base(label, base):
    print(f"  {label:<34} {base[1]:>11,} rows {base[0]:7.2f} s {base[1] / base[0]:>12,.0f} rows/s "
          f"{base[2] / base[0] / 1e6:8.1f} MB/s", flush=True)


def report(label, secs, rows, row_bytes, base):
    """MB/s counts the rows' Arrow size as DuckDB exports them in-process (the same data)."""
    rate = rows / secs
    ratio = rate / (base[1] / base[0])
    print(f"  {label:<34} {rows:>11,} rows {secs:7.2f} s {rate:>12,.0f} rows/s {rate * row_bytes / 1e6:8.1f} MB/s "
          f"ratio {ratio:.2f}", flush=True)
    return {"label": label, "rows": rows, "seconds": secs, "rows_per_s": rate, "mb_per_s": rate * row_bytes / 1e6,
            "ratio": ratio}
