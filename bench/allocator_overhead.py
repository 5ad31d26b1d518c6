#!/usr/bin/env python3
"""bench/allocator_overhead: what the node's counting of DuckDB's allocations costs, alone.

Runs build/bench/allocator_overhead_plain (libduckdb.so's jemalloc called directly) and
allocator_overhead_counted (through src/duckdb/allocator_limits.cc: every allocation admitted
against max_allocation_size and memory_ceiling, its usable size counted) alternately, one round
per process, and prints each workload's median time per variant and counted/plain. Run it on an
idle machine: the two variants must see the same load.

    .deps/venv/bin/python bench/allocator_overhead.py [--runs 5]
"""
import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "integration"))
from conftest import BUILD  # noqa: E402

BENCH = BUILD / "bench"


def run(variant):
    out = subprocess.run([str(BENCH / f"allocator_overhead_{variant}"), "--rounds", "1"], capture_output=True,
                         text=True, check=True).stdout
    lines = [json.loads(line) for line in out.splitlines()]
    if variant == "counted":  # the interposition was live: DuckDB's allocations were counted
        assert any(line.get("duckdb_allocated_bytes", 0) > 0 for line in lines), out
    return {line["work"]: line["ms"] for line in lines if "work" in line}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    times = {"plain": {}, "counted": {}}
    for i in range(args.runs):
        for variant in (("plain", "counted") if i % 2 == 0 else ("counted", "plain")):
            for work, ms in run(variant).items():
                times[variant].setdefault(work, []).append(ms)
    report = {}
    for work in times["plain"]:
        plain, counted = statistics.median(times["plain"][work]), statistics.median(times["counted"][work])
        report[work] = {"plain_ms": round(plain, 1), "counted_ms": round(counted, 1),
                        "counted_over_plain": round(counted / plain, 3)}
        print(f"{work:18} plain {plain:9.1f} ms   counted {counted:9.1f} ms   x{counted / plain:.3f}", flush=True)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
