#!/usr/bin/env python3
"""bench/writer_lake: a lake written by homer-node's own writer, for the search benchmarks.

An all-in-one node receives --days days of realistic SIP dialogs from bench/hep_sender (HEP3 over
UDP, each day's packets dated that many days back), flushes them through its writer, and its
compaction rewrites every closed day in the search layout. The node then stops (SIGTERM) and the
lake stays in --dir (homer_lake.sqlite, data/hot/) for bench/search_layout.py --lake.

    .deps/venv/bin/python bench/writer_lake.py --dir /tmp/writer-lake [--dialogs-per-day 410000]

~410,000 dialogs a day give ~2.15M hep_proto_1_call rows a day (7 messages a call, 3 calls in 4
dialogs): 15M rows over 7 days. Call-IDs are scattered (hep_sender --scatter-ids): like real ones
they say nothing of their day, so every day's files cover the whole range of ids.
"""
import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
from capture import start_capture_node  # noqa: E402
from conftest import BUILD  # noqa: E402

SENDER = BUILD / "bench" / "hep_sender"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--dialogs-per-day", type=int, default=410_000)
    ap.add_argument("--rate", type=int, default=80_000, help="packets/s")
    args = ap.parse_args()
    root = Path(args.dir)
    root.mkdir(parents=True, exist_ok=True)
    # The layout bench/search_layout.py --lake expects: <dir>/homer_lake.sqlite, <dir>/data/hot/.
    storage = {"catalog_path": str(root / "homer_lake.sqlite"), "data_path": str(root / "data" / "hot") + "/",
               "flush_interval_sec": 30, "durable_interval_ms": 200,
               "compaction": {"check_interval_sec": 20, "min_age_sec": 0}}
    node = start_capture_node(root, storage=storage, ingest={"queue_size": 1_000_000})
    try:
        sent = 0
        for day in range(args.days - 1, -1, -1):
            out = subprocess.run([str(SENDER), "--port", str(node.hep_port), "--rate", str(args.rate), "--seconds",
                                  "100000", "--dialogs", str(args.dialogs_per_day),
                                  "--first", str(day * args.dialogs_per_day), "--prefix", "bench",
                                  "--age-sec", str(day * 86400), "--scatter-ids"],
                                 capture_output=True, text=True, check=True)
            got = json.loads(out.stdout.strip().splitlines()[-1])
            sent += got["packets"]
            print(f"day -{day}: {got['packets']} packets", flush=True)
        deadline = time.time() + 600
        while time.time() < deadline:  # every packet decoded, then every closed day compacted
            ingest = node.capture()["ingest"]
            if ingest["decoded"] + ingest["dropped"] >= sent:
                break
            time.sleep(1)
        print("ingest:", json.dumps(node.capture()["ingest"]), flush=True)
        # Flushed, then compaction until two cycles in a row rewrite nothing.
        quiet, last = 0, None
        while time.time() < deadline and quiet < 2:
            writer = node.capture()["writer"]
            stats = node.get("/api/v4/node/stats").json()["storage_policy"]
            if writer["buffered_rows"] == 0:
                key = (stats["compaction_cycles"], stats["rewrites"])
                if last is not None and key[0] > last[0]:
                    quiet = quiet + 1 if key[1] == last[1] else 0
                if last is None or key[0] > last[0]:
                    last = key
            time.sleep(2)
        rows = node.rows("SELECT count(*) FROM homer_lake.main.hep_proto_1_call")[0][0]
        print(json.dumps({"hep_proto_1_call_rows": rows, "packets_sent": sent,
                          "storage_policy": node.get("/api/v4/node/stats").json()["storage_policy"]}), flush=True)
    finally:
        node.proc.terminate()
        node.proc.wait(timeout=300)
    print(f"lake in {root}: measure it with bench/search_layout.py --lake {root}")


if __name__ == "__main__":
    main()
