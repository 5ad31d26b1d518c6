#!/usr/bin/env python3
"""bench/tiered: a hot-only time-range query through the merged lake vs directly on the hot
catalog, on a ~20M-row lake with 80% of the rows in a cold volume on a real S3-compatible server.

Reports the median time of each, their ratio (goal: merged within 1.1x of direct), and the files
each query read per volume (goal: zero cold files). Usage: bench/tiered.py [--runs 7]
"""
import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import LAKE, ensure_lake, volumes  # noqa: E402
from conftest import start_node  # noqa: E402
from s3_server import S3Server  # noqa: E402

BUCKET = "homer-cold-bench"


def upload_cold(s3: S3Server, data_dir: Path):
    """Put the cold volume's Parquet files on S3, same relative layout."""
    client = s3.client()
    s3.create_bucket(BUCKET)
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    total = 0
    for p in files:
        client.upload_file(str(p), BUCKET, "cold/" + str(p.relative_to(data_dir)))
        total += p.stat().st_size
    return len(files), total


def timed(node, sql):
    start = time.perf_counter()
    body = node.query(sql)
    return time.perf_counter() - start, body


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    ensure_lake()
    tmp = Path(tempfile.mkdtemp())
    s3 = S3Server(tmp)
    node = None
    try:
        hot, cold = volumes()
        n_files, n_bytes = upload_cold(s3, Path(cold["path"]))
        print(f"cold volume on S3: {n_files} files, {n_bytes / 1e6:.0f} MB", flush=True)
        cold_s3 = s3.volume(LAKE, "cold", BUCKET, prefix="cold/", catalog_path=cold["catalog_path"],
                            override_data_path=True)
        node = start_node(tmp, [hot, cold_s3], token="bench", memory_limit="4GB", refresh=30)
        per_volume = node.rows("SELECT storage_volume, count(*) FROM homer_lake.main.hep_proto_1_call GROUP BY ALL "
                               "ORDER BY 1")
        print("rows per volume:", dict(per_volume), flush=True)
        since = node.rows("SELECT max(timestamp)::DATE - INTERVAL 1 DAY FROM homer_lake_hot.main.hep_proto_1_call")[0][0]
        shape = ("SELECT method, count(*) AS n, count(DISTINCT session_id) AS sessions, avg(length(payload)) AS size "
                 "FROM {table} WHERE timestamp >= TIMESTAMP '" + since + "' GROUP BY method ORDER BY n DESC")
        merged_sql = shape.format(table="homer_lake.main.hep_proto_1_call")
        direct_sql = shape.format(table="homer_lake_hot.main.hep_proto_1_call")
        timed(node, merged_sql)  # warm the file cache
        timed(node, direct_sql)
        merged, direct = [], []
        for _ in range(args.runs):
            t, body_m = timed(node, merged_sql)
            merged.append(t)
            t, body_d = timed(node, direct_sql)
            direct.append(t)
        assert body_m["data"] == body_d["data"], "merged and direct answers differ"
        s3.proxy.down()  # the cold tier goes away: the hot-only query must not notice
        try:
            t, body_down = timed(node, merged_sql)
            assert body_down["data"] == body_d["data"]
        finally:
            s3.proxy.up()
        m, d = statistics.median(merged), statistics.median(direct)
        result = {"rows_hot_only_range": sum(r[1] for r in body_m["data"]), "merged_median_s": m, "direct_median_s": d,
                  "ratio": m / d, "files_read_merged": body_m["stats"]["files_read"],
                  "files_read_direct": body_d["stats"]["files_read"],
                  "files_read_with_s3_down": body_down["stats"]["files_read"]}
        print(f"hot-only range: merged {m * 1000:.1f} ms, direct {d * 1000:.1f} ms, ratio {m / d:.3f}; "
              f"files read merged {result['files_read_merged']}, with S3 down {result['files_read_with_s3_down']}")
        print(json.dumps(result, indent=2))
    finally:
        if node:
            node.stop()
        s3.stop()


if __name__ == "__main__":
    main()
