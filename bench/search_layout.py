#!/usr/bin/env python3
"""bench/search_layout: which Parquet/DuckLake file layout makes a HOMER Call-ID search fast.

Builds a baseline lake (`homer-node demo-lake`: one volume, 7 days, ~15M hep_proto_1_call rows
written as DuckLake writes them: timestamp order, 122,880-row row groups, 2 files a day) and, from
the same rows, one or more search layouts (--layouts KxR): each day rewritten as K files that split
the day by session_id range (quantile bounds of that day's ids, so DuckLake's per-file min/max in
the catalog skips the other K-1 files of every day), each file in timestamp order (time searches
still skip row groups by min/max) with R rows per row group and Parquet bloom filters on the
dictionary-encoded columns (session_id, cid, caller, callee, ...). The rewrite is the realistic one:
COPY the day's rows out of the lake, then in one catalog transaction DELETE the day and
ducklake_add_data_files() the new files; the replaced files are expired and removed.

Then for each lake it runs the searches in-process (DuckDB on the same catalog) and through a real
homer-node's HTTP API (POST /api/v4/node/query, one volume), both caching Parquet footers as the
node does by default (--no-metadata-cache: neither does), prints p50/p99, the files and row
groups each search reads or skips (DuckDB's ParquetReader log), and checks every answer is
identical to the baseline's (rows compared sorted):
  callid          SELECT * ... WHERE session_id = '<existing id>'            (all 7 days)
  caller_hour     ... WHERE caller = '<c>' AND timestamp BETWEEN t AND t + 1h ORDER BY timestamp LIMIT 200
  minutes_24h     SELECT date_trunc('minute', timestamp) AS m, count(*) ... 24 h ... GROUP BY m ORDER BY m
  callid_missing  an id inside every file's min/max range that is nowhere (bloom filters only)
  catalog_floor   a Call-ID search whose date filter prunes every file: DuckLake's per-query cost

Usage:
  bench/search_layout.py [--work DIR] [--layouts 32x8192[,8x4096]] [--fpp 0.001] [--runs 40]
                         [--calls 290000] [--days 7] [--no-metadata-cache] [--build-only]
  bench/search_layout.py --lake DIR [--runs 40]     measure one existing lake (layout applied elsewhere)
--work keeps the lakes (reused by the next run when present); without it they go to a temp dir
that is removed at the end. HOMER_BUILD_DIR picks the homer-node binary (default build/).
Takes ~6 min from nothing with one layout (demo-lake 1.5 min, rewrite 2.5 min, searches 2 min).
"""
import argparse
import datetime
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BINARY  # noqa: E402
from conftest import start_node, writer_connection  # noqa: E402

TABLE = "hep_proto_1_call"
T = f"homer_lake.main.{TABLE}"
DICT_COLUMNS = ("session_id", "cid", "caller", "callee")


# ---------------------------------------------------------------------------------------------
# Lakes


def volume(lake_dir: Path):
    """The lake's one volume (demo-lake --hot-days = --days puts every day in 'hot')."""
    return {"name": "hot", "catalog_path": str(lake_dir / "homer_lake.sqlite"),
            "path": str(lake_dir / "data/hot") + "/"}


def attach(con, lake_dir: Path, read_only=True):
    v = volume(lake_dir)
    ro = ", READ_ONLY" if read_only else ""
    con.execute(f"ATTACH 'ducklake:sqlite:{v['catalog_path']}' AS homer_lake (DATA_PATH '{v['path']}'{ro})")


def build_baseline(lake_dir: Path, days: int, calls: int):
    if (lake_dir / "homer_lake.sqlite").exists():
        print(f"baseline: reusing {lake_dir}", flush=True)
        return
    print(f"baseline: homer-node demo-lake --days {days} --calls {calls} -> {lake_dir}", flush=True)
    start = time.perf_counter()
    subprocess.run([str(BINARY), "demo-lake", "--dir", str(lake_dir), "--days", str(days), "--hot-days", str(days),
                    "--calls", str(calls)], check=True, stdout=subprocess.DEVNULL)
    print(f"baseline: written in {time.perf_counter() - start:.0f} s", flush=True)


def copy_lake(src: Path, dst: Path):
    """A copy of a lake whose data files are hard links (the rewrite only adds files) and whose
    catalog is a real copy pointing at the copy's data path."""
    shutil.copytree(src / "data", dst / "data", copy_function=os.link)
    for f in src.glob("*.sqlite"):
        shutil.copy2(f, dst / f.name)
    for f in dst.glob("*.sqlite"):
        c = sqlite3.connect(f)
        name = "hot" if f.name == "homer_lake.sqlite" else "cold"
        c.execute("UPDATE ducklake_metadata SET value = ? WHERE key = 'data_path'", (str(dst / "data" / name) + "/",))
        c.commit()
        c.close()


def copy_options(row_group: int, fpp: float):
    # DuckDB gives up dictionary encoding (and so the bloom filter) of a column chunk past
    # DICTIONARY_SIZE_LIMIT distinct values; its default suits 122,880-row groups. Half the row
    # group keeps session_id/caller dictionary-encoded (a call is ~7 rows) and uuid (unique) plain.
    return (f"FORMAT parquet, ROW_GROUP_SIZE {row_group}, DICTIONARY_SIZE_LIMIT {row_group // 2}, "
            f"BLOOM_FILTER_FALSE_POSITIVE_RATIO {fpp}")


def rewrite_day(con, data_path: Path, day: str, files_per_day: int, row_group: int, fpp: float, order: str):
    """Rewrite one day of the table as files_per_day session_id-range files, rows in `order`
    ("timestamp, session_id" or "session_id, timestamp"); returns stats."""
    start = time.perf_counter()
    folder = data_path / "main" / TABLE / f"date={day}"
    folder.mkdir(parents=True, exist_ok=True)
    con.execute(f"CREATE OR REPLACE TEMP TABLE search_day AS SELECT * FROM {T} WHERE date = DATE '{day}'")
    rows = con.sql("SELECT count(*) FROM search_day").fetchone()[0]
    if files_per_day > 1:
        qs = ", ".join(str(i / files_per_day) for i in range(1, files_per_day))
        bounds = con.sql(f"SELECT quantile_disc(session_id, [{qs}]) FROM search_day").fetchone()[0]
        bounds = sorted(set(bounds))
    else:
        bounds = []
    edges = [None] + bounds + [None]
    files = []
    for i in range(len(edges) - 1):
        lo, hi = edges[i], edges[i + 1]
        where = " AND ".join(w for w in [f"session_id >= '{lo}'" if lo is not None else "",
                                          f"session_id < '{hi}'" if hi is not None else ""] if w) or "true"
        name = folder / f"search-{day}-{i:03d}-{random.getrandbits(48):012x}.parquet"
        con.execute(f"COPY (SELECT * FROM search_day WHERE {where} ORDER BY {order}) TO '{name}' "
                    f"({copy_options(row_group, fpp)})")
        files.append(name)
    con.execute("DROP TABLE search_day")
    written = sum(f.stat().st_size for f in files)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"DELETE FROM {T} WHERE date = DATE '{day}'")
        for f in files:
            con.execute(f"CALL ducklake_add_data_files('homer_lake', '{TABLE}', '{f}', hive_partitioning => true)")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return {"day": day, "rows": rows, "files": len(files), "bytes": written, "seconds": time.perf_counter() - start}


ORDERS = {"time": "timestamp, session_id", "session": "session_id, timestamp"}


def build_layout(base: Path, lake_dir: Path, files_per_day: int, row_group: int, fpp: float, order: str = "time"):
    done = lake_dir / "LAYOUT_DONE"
    if done.exists():
        print(f"layout: reusing {lake_dir}", flush=True)
        return
    shutil.rmtree(lake_dir, ignore_errors=True)
    lake_dir.mkdir(parents=True)
    copy_lake(base, lake_dir)
    con = writer_connection()
    con.execute("SET threads = 2")
    con.execute("SET memory_limit = '6GB'")
    con.execute(f"SET temp_directory = '{lake_dir}/spill'")
    attach(con, lake_dir, read_only=False)
    days = [str(r[0]) for r in con.sql(f"SELECT DISTINCT date FROM {T} ORDER BY 1").fetchall()]
    old_bytes = sum(f.stat().st_size for f in (lake_dir / "data/hot/main" / TABLE).rglob("*.parquet"))
    print(f"layout: {files_per_day} files/day by session_id range, {order} order, {row_group}-row groups, "
          f"bloom fpp {fpp}", flush=True)
    new_bytes = 0
    for day in days:
        s = rewrite_day(con, lake_dir / "data/hot", day, files_per_day, row_group, fpp, ORDERS[order])
        new_bytes += s["bytes"]
        print(f"  {day}: {s['rows']:,} rows -> {s['files']} files, {s['bytes'] / 1e6:.0f} MB, {s['seconds']:.1f} s",
              flush=True)
    # Drop the replaced files from disk (in this copy they are hard links into the baseline).
    con.execute("CALL ducklake_expire_snapshots('homer_lake', older_than => now() + INTERVAL 1 day)")
    con.execute("CALL ducklake_cleanup_old_files('homer_lake', cleanup_all => true)")
    deletes = con.sql(f"SELECT count(*) FROM ducklake_list_files('homer_lake', '{TABLE}') "
                      "WHERE delete_file IS NOT NULL").fetchone()[0]
    con.close()
    assert deletes == 0, "the rewrite left delete files behind"
    print(f"layout: {TABLE} {old_bytes / 1e6:.0f} MB -> {new_bytes / 1e6:.0f} MB", flush=True)
    shutil.rmtree(lake_dir / "spill", ignore_errors=True)
    done.write_text("done\n")


def describe(lake_dir: Path):
    """Files and row groups of the table's live files, and bloom filter coverage of session_id."""
    con = writer_connection()
    attach(con, lake_dir)
    files = [r[0] for r in con.sql(f"SELECT data_file FROM ducklake_list_files('homer_lake', '{TABLE}')").fetchall()]
    flist = ", ".join(f"'{f}'" for f in files)
    rg, bloom_rg, size = con.sql(
        f"SELECT count(DISTINCT (file_name, row_group_id)), count(*) FILTER (WHERE path_in_schema = 'session_id' "
        f"AND bloom_filter_offset IS NOT NULL), sum(total_compressed_size) FROM parquet_metadata([{flist}])").fetchone()
    con.close()
    return {"files": len(files), "row_groups": rg, "session_id_blooms": bloom_rg,
            "bytes": sum(os.path.getsize(f) for f in files), "files_list": files}


# ---------------------------------------------------------------------------------------------
# Searches


def pick_searches(lake_dir: Path, n: int, seed: int = 7):
    """Existing Call-IDs spread over the days, callers with rows in an hour, 24 h windows."""
    con = writer_connection()
    attach(con, lake_dir)
    rows = con.sql(f"SELECT session_id, caller, timestamp FROM {T} "
                   f"USING SAMPLE {n} ROWS (reservoir, {seed})").fetchall()
    lo, hi = con.sql(f"SELECT min(timestamp), max(timestamp) FROM {T}").fetchone()
    con.close()
    sids = [r[0] for r in rows]
    callers = []
    for _, caller, ts in rows:
        start = ts.replace(minute=0, second=0, microsecond=0)
        callers.append((caller, start))
    rnd = random.Random(seed)
    span = (hi - lo).total_seconds() - 86400
    windows = [(lo + datetime.timedelta(seconds=rnd.uniform(3600, span))).replace(minute=0, second=0, microsecond=0)
               for _ in range(5)]
    return {"callid": [f"SELECT * FROM {T} WHERE session_id = '{s}'" for s in sids],
            "caller_hour": [f"SELECT * FROM {T} WHERE caller = '{c}' AND timestamp BETWEEN TIMESTAMP '{t}' AND "
                            f"TIMESTAMP '{t}' + INTERVAL 1 HOUR ORDER BY timestamp LIMIT 200" for c, t in callers],
            "minutes_24h": [f"SELECT date_trunc('minute', timestamp) AS m, count(*) FROM {T} WHERE timestamp >= "
                            f"TIMESTAMP '{w}' AND timestamp < TIMESTAMP '{w}' + INTERVAL 24 HOUR GROUP BY m ORDER BY m"
                            for w in windows],
            # an existing id with its last characters changed: inside the files' min/max ranges
            "callid_missing": [f"SELECT * FROM {T} WHERE session_id = '{s[:-2]}zz'" for s in sids[:10]],
            # no file is listed (the date prunes them all): the per-query catalog floor
            "catalog_floor": [f"SELECT * FROM {T} WHERE session_id = '{s}' AND date = DATE '1900-01-01'"
                              for s in sids[:10]]}


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def canonical(rows):
    """Rows as a sorted list of JSON texts (order-free comparison)."""
    return sorted(json.dumps(r, default=str, sort_keys=True) for r in rows)


def run_in_process(lake_dir: Path, searches, runs: int, metadata_cache: bool):
    con = writer_connection()
    con.execute("SET threads = 2")
    con.execute(f"SET parquet_metadata_cache = {str(metadata_cache).lower()}")
    attach(con, lake_dir)
    out = {}
    for name, queries in searches.items():
        for q in queries[:3]:
            con.sql(q).fetchall()  # warm the page cache and the catalog
        times, answers = [], {}
        for i in range(max(runs, len(queries))):
            q = queries[i % len(queries)]
            start = time.perf_counter()
            rows = con.sql(q).fetchall()
            times.append((time.perf_counter() - start) * 1000)
            answers[q] = canonical([list(r) for r in rows])
        out[name] = {"p50": pct(times, 50), "p99": pct(times, 99), "answers": answers}
    con.close()
    return out


def scan_profile(lake_dir: Path, searches):
    """Files and Parquet row groups each search reads or skips, from DuckDB's own log (ParquetReader
    ReadRowGroup / SkipRowGroup events: a skip is a min/max or bloom filter miss). Where the time
    goes follows from the timed searches: catalog_floor (DuckLake's snapshot queries, no file
    listed), callid_missing (+ the file list from the SQLite catalog, file footers, every row group
    skipped) and callid (+ decoding the row groups holding the call)."""
    con = writer_connection()
    con.execute("SET threads = 2")
    attach(con, lake_dir)
    out = {}
    for name in ("callid", "callid_missing", "caller_hour", "minutes_24h"):
        per_query = []
        for q in searches[name][:6]:
            con.execute("CALL truncate_duckdb_logs()")
            con.execute("CALL enable_logging(['PhysicalOperator'], level = 'debug')")
            con.sql(q).fetchall()
            con.execute("CALL disable_logging()")
            events = [m for (m,) in
                      con.sql("SELECT message FROM duckdb_logs WHERE message LIKE '%RowGroup%'").fetchall()]
            files = {m.split("file='")[1].split("'")[0] for m in events if "file='" in m}
            per_query.append({"files": len(files), "rg_read": sum("ReadRowGroup" in m for m in events),
                              "rg_skipped": sum("SkipRowGroup" in m for m in events)})
        out[name] = {k: statistics.median(p[k] for p in per_query) for k in per_query[0]}
    con.close()
    return out


def run_http(lake_dir: Path, searches, runs: int, metadata_cache: bool):
    """Through a real node, on one kept-alive connection (as a browser, Grafana or HOMER's UI
    talk to it)."""
    tmp = Path(tempfile.mkdtemp(prefix="search_layout_node_"))
    node = start_node(tmp, [volume(lake_dir)], token="bench", memory_limit="4GB", refresh=30,
                      parquet_metadata_cache=metadata_cache)
    url = node.http + "/api/v4/node/query"
    headers = {"Authorization": f"Bearer {node.token}"}
    session = requests.Session()

    def query(q):
        r = session.post(url, json={"sql": q}, headers=headers, timeout=120)
        assert r.status_code == 200, r.text
        return r.json()

    out = {}
    try:
        start = time.perf_counter()
        for _ in range(20):
            query("SELECT 1")
        floor = (time.perf_counter() - start) / 20 * 1000
        for name, queries in searches.items():
            for q in queries[:3]:
                query(q)
            times, answers = [], {}
            for i in range(max(runs, len(queries))):
                q = queries[i % len(queries)]
                start = time.perf_counter()
                body = query(q)
                times.append((time.perf_counter() - start) * 1000)
                answers[q] = canonical(body["data"])
            out[name] = {"p50": pct(times, 50), "p99": pct(times, 99), "answers": answers}
        out["select_1"] = {"p50": floor, "p99": floor, "answers": {}}
    finally:
        node.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def measure(label, lake_dir: Path, searches, runs: int, metadata_cache: bool):
    d = describe(lake_dir)
    print(f"\n== {label}: {lake_dir}\n   {TABLE}: {d['files']} files, {d['row_groups']} row groups "
          f"({d['session_id_blooms']} with a session_id bloom filter), {d['bytes'] / 1e6:.0f} MB", flush=True)
    res = {"describe": {k: v for k, v in d.items() if k != "files_list"}}
    res["profile"] = scan_profile(lake_dir, searches)
    for name, p in res["profile"].items():
        print(f"   {name:15s} files opened {p['files']:4.0f}  row groups read {p['rg_read']:4.0f}  skipped "
              f"{p['rg_skipped']:5.0f}", flush=True)
    res["in_process"] = run_in_process(lake_dir, searches, runs, metadata_cache)
    res["http"] = run_http(lake_dir, searches, runs, metadata_cache)
    for mode in ("in_process", "http"):
        print(f"   {mode:26s} " + "  ".join(f"{k} {v['p50']:5.1f}/{v['p99']:5.1f}" for k, v in res[mode].items()),
              flush=True)
    return res


def same_answers(a, b, mode):
    bad = []
    for name in a[mode]:
        for q, rows in a[mode][name]["answers"].items():
            if b[mode][name]["answers"].get(q) != rows:
                bad.append(q)
    return bad


def print_summary(results, modes):
    labels = list(results)
    print("\nsummary: p50 / p99 ms")
    for mode in modes:
        print(f"\n  {mode}")
        print(f"  {'search':16s}" + "".join(f"{label:>24s}" for label in labels))
        for name in results[labels[0]][mode]:
            cells = [f"{results[label][mode][name]['p50']:.1f} / {results[label][mode][name]['p99']:.1f}"
                     for label in labels]
            print(f"  {name:16s}" + "".join(f"{c:>24s}" for c in cells))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lake", help="measure this existing lake only")
    ap.add_argument("--work", help="keep the baseline and layout lakes here (reused when present)")
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--calls", type=int, default=290_000, help="calls per day (~7.4 call rows each)")
    ap.add_argument("--layouts", default="32x8192",
                    help="comma-separated FILES_PER_DAYxROW_GROUP_SIZE[:time|:session] layouts (rows in each file "
                         "in timestamp order, the default, or session_id order) to compare with the baseline")
    ap.add_argument("--fpp", type=float, default=0.001, help="bloom filter false positive ratio")
    ap.add_argument("--runs", type=int, default=40, help="runs per search (cycling over distinct values)")
    ap.add_argument("--build-only", action="store_true", help="build (or reuse) the lakes, measure nothing")
    ap.add_argument("--no-metadata-cache", dest="metadata_cache", action="store_false",
                    help="read without caching Parquet footers, in-process and in the node "
                         "(ducklake.parquet_metadata_cache: false; homer-node's default is true)")
    args = ap.parse_args()
    modes = ["http", "in_process"]

    if args.lake:
        lake = Path(args.lake).resolve()
        results = {"lake": measure("lake", lake, pick_searches(lake, 20), args.runs, args.metadata_cache)}
        print_summary(results, modes)
        return

    work = Path(args.work).resolve() if args.work else Path(tempfile.mkdtemp(prefix="search_layout_"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        base = (work / "baseline").resolve()  # may be a symlink to a lake written elsewhere
        build_baseline(base, args.days, args.calls)
        layouts = {}
        for spec in args.layouts.split(","):
            size, _, order = spec.lower().partition(":")
            order = order or "time"
            k, rg = (int(x) for x in size.split("x"))
            lake = work / (f"layout_k{k}_rg{rg}_fpp{args.fpp}" + ("" if order == "time" else f"_{order}"))
            build_layout(base, lake, k, rg, args.fpp, order)
            layouts[f"{k} files/day, rg {rg}, {order}"] = lake
        if args.build_only:
            return
        searches = pick_searches(base, 20)
        results = {"baseline": measure("baseline", base, searches, args.runs, args.metadata_cache)}
        for label, lake in layouts.items():
            results[label] = measure(label, lake, searches, args.runs, args.metadata_cache)
        ok = True
        print("\nidentical answers to the baseline (rows compared sorted, every query of every search):")
        for label in layouts:
            for mode in ("in_process", "http"):
                bad = same_answers(results["baseline"], results[label], mode)
                ok = ok and not bad
                print(f"  {label} {mode}: {'yes' if not bad else f'NO, {len(bad)} queries differ, e.g. {bad[0]}'}")
        print_summary(results, modes)
        sys.exit(0 if ok else 1)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
