#!/usr/bin/env python3
"""bench/policy_moves: the storage policy moving date partitions from a local hot volume to an
S3 cold volume (a real S3-compatible server on loopback), against the limit: a plain upload of
the same source files to the same server (boto3, multipart), in the same run.

Also measures the alternative move the policy does not use: DuckLake's own INSERT ... SELECT
into the cold lake (DuckDB re-encodes the rows and writes the files itself), on the same rows.

    .deps/venv/bin/python bench/policy_moves.py [--calls 150000] [--days 3] [--concurrent 1]
"""
import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
from capture import start_capture_node  # noqa: E402
from conftest import BINARY, writer_connection  # noqa: E402
from s3_server import S3Server  # noqa: E402

MOVED = re.compile(r"moved (\S+) (\S+) from hot to cold: (\d+) rows, (\d+) files, (\d+) bytes in ([\d.]+) s")


def source_files(data_dir: Path, moved_dates):
    return [p for p in data_dir.rglob("*.parquet") if any(f"date={d}" in str(p) for d in moved_dates)]


def plain_upload(s3: S3Server, files):
    client = s3.client()
    s3.create_bucket("upload")
    size = sum(p.stat().st_size for p in files)
    start = time.perf_counter()
    for i, p in enumerate(files):
        client.upload_file(str(p), "upload", f"plain/{i}-{p.name}")
    return size, time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=150000, help="calls per day in the demo lake")
    ap.add_argument("--days", type=int, default=3)
    ap.add_argument("--concurrent", type=int, default=1)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="homer-bench-moves-"))
    lake = tmp / "lake"
    subprocess.run([str(BINARY), "demo-lake", "--dir", str(lake), "--days", str(args.days), "--hot-days",
                    str(args.days), "--calls", str(args.calls)], check=True)
    s3 = S3Server(tmp)
    s3.create_bucket("cold")
    cold = s3.volume(lake, "cold", "cold", priority=1, catalog_path=str(lake / "s3cold.sqlite"))
    storage = {"catalog_path": str(lake / "homer_lake.sqlite"), "data_path": str(lake / "data" / "hot") + "/",
               "storage_policy": {"enable": True, "ttl_move_interval_sec": 10, "move_on_startup": True,
                                  "concurrent_moves": args.concurrent,
                                  "volumes": [{"name": "hot", "type": "local", "priority": 0, "max_data_age_days": 1},
                                              cold]},
               "compaction": {"enable": False}}
    node = start_capture_node(tmp, storage=storage)
    try:
        rows = node.rows("SELECT date::VARCHAR, count(*) FROM homer_lake.main.hep_proto_1_call GROUP BY ALL ORDER BY 1")
        moving = [d for d, _ in rows[:-1]]  # all but today (hot keeps 1 day)
        expected = sum(n for _, n in rows)
        deadline = time.time() + 900
        seen = None  # the cycle count when the first move showed; a later cycle means they are done
        while time.time() < deadline:  # (new marks tables wait 35 s before the first move)
            stats = node.get("/api/v4/node/stats").json()["storage_policy"]
            if seen is None and stats["moves"] > 0:
                seen = stats["move_cycles"]
            if seen is not None and stats["move_cycles"] > seen:
                break
            time.sleep(1)
        assert node.rows("SELECT count(*) FROM homer_lake.main.hep_proto_1_call")[0][0] == expected
        log = Path(node.log_path).read_text()
    finally:
        node.proc.terminate()
        node.proc.wait(timeout=60)
    moves = [m for m in MOVED.finditer(log)]
    moved_bytes = sum(int(m.group(5)) for m in moves)
    move_secs = sum(float(m.group(6)) for m in moves)
    call_moves = [m for m in moves if m.group(1) == "hep_proto_1_call"]
    files = source_files(lake / "data" / "hot", moving)
    up_bytes, up_secs = plain_upload(s3, files)
    # The moved rows are in cold now: INSERT ... SELECT reads them from there (S3 to S3, so its
    # ratio is a lower bound of what it would do from local files).
    ins_bytes, ins_secs = insert_select_from(s3, tmp, {"catalog_path": cold["catalog_path"], "path": cold["path"]},
                                             moving)
    s3.stop()
    mb = 1 << 20
    result = {
        "partitions_moved": len(moves),
        "rows_moved": sum(int(m.group(3)) for m in moves),
        "move_MBps": round(moved_bytes / mb / move_secs, 1),
        "move_bytes": moved_bytes,
        "move_seconds": round(move_secs, 2),
        "hep_proto_1_call_MBps": round(sum(int(m.group(5)) for m in call_moves) / mb /
                                       sum(float(m.group(6)) for m in call_moves), 1),
        "plain_upload_MBps": round(up_bytes / mb / up_secs, 1),
        "plain_upload_bytes": up_bytes,
        "insert_select_MBps": round(ins_bytes / mb / ins_secs, 1),
        "ratio_move_to_upload": round((moved_bytes / move_secs) / (up_bytes / up_secs), 2),
        "ratio_insert_select_to_upload": round((ins_bytes / ins_secs) / (up_bytes / up_secs), 2),
    }
    print(json.dumps(result, indent=2))


def insert_select_from(s3, tmp, source, dates):
    """INSERT ... SELECT per date from `source` (an S3 lake) into a fresh S3 lake."""
    s3.create_bucket("insert")
    con = writer_connection()
    con.execute("LOAD httpfs")
    con.execute(s3.secret_sql("s3://"))
    con.execute(f"ATTACH 'ducklake:sqlite:{source['catalog_path']}' AS src (DATA_PATH '{source['path']}', READ_ONLY)")
    con.execute(f"ATTACH 'ducklake:sqlite:{tmp / 'insert_cold.sqlite'}' AS dst (DATA_PATH 's3://insert/lake/')")
    con.execute("CALL dst.set_option('data_inlining_row_limit', 0)")
    total_bytes, total_secs = 0, 0.0
    for (table,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'src' "
                                "AND schema_name = 'main'").fetchall():
        con.execute(f"CREATE TABLE dst.{table} AS SELECT * FROM src.{table} WITH NO DATA")
        con.execute(f"ALTER TABLE dst.{table} SET PARTITIONED BY (date)")
        for d in dates:
            start = time.perf_counter()
            con.execute(f"INSERT INTO dst.{table} SELECT * FROM src.{table} WHERE date = '{d}'")
            total_secs += time.perf_counter() - start
    total_bytes = con.execute("SELECT sum(file_size_bytes) FROM __ducklake_metadata_dst.ducklake_data_file").fetchone()[0]
    con.close()
    return total_bytes, total_secs


if __name__ == "__main__":
    main()
