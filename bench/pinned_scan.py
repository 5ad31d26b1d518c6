"""A 4-endpoint table scan (the tickets Airport's `endpoints` action and Flight's GetFlightInfo
hand out, pinned to one snapshot) redeemed on one node against the same 4 tickets spread over 3
nodes of the same lake, and what a pin costs per FlightInfo.

    .deps/venv/bin/python bench/pinned_scan.py [--rows 8400000] [--repeat 7]

One run on this machine: every node shares its cores (2 here), so 3 nodes cannot beat 1 on
throughput; the figure says what spreading costs or gains, not what 3 machines would do. The
lake: one volume with a table of --rows rows (timestamp, bigint, 40-character text)."""
import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402,F401  (puts tests/integration on the path)
from conftest import Lake, start_node  # noqa: E402

import pyarrow.flight as flight  # noqa: E402


def options(node):
    return flight.FlightCallOptions(headers=[(b"authorization", f"Bearer {node.token}".encode())])


def scan(nodes, info):
    """Redeem every endpoint of `info` at once, endpoint i on nodes[i % len(nodes)]; rows, seconds."""
    rows = [0] * len(info.endpoints)

    def redeem(i, endpoint):
        node = nodes[i % len(nodes)]
        client = flight.FlightClient(f"grpc://127.0.0.1:{node.port}")
        rows[i] = client.do_get(endpoint.ticket, options(node)).read_all().num_rows

    threads = [threading.Thread(target=redeem, args=(i, e)) for i, e in enumerate(info.endpoints)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(rows), time.perf_counter() - start


def p50_ms(fn, n=200):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=8_400_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pinned-scan-") as tmp:
        tmp = Path(tmp)
        lake = Lake(tmp)
        vol = lake.volume("hot")
        w = lake.writer(vol)
        w.execute("CREATE TABLE w.t (ts TIMESTAMP, v BIGINT, s VARCHAR)")
        w.execute(f"INSERT INTO w.t SELECT make_timestamp(i * 1000000), i, md5(i::VARCHAR) || 'abcdefgh' "
                  f"FROM range({args.rows}) t(i)")
        w.close()
        nodes = [start_node(tmp, [vol]) for _ in range(3)]
        try:
            client = flight.FlightClient(f"grpc://127.0.0.1:{nodes[0].port}")
            path = flight.FlightDescriptor.for_path("homer_lake", "main", "t")
            info = client.get_flight_info(path, options(nodes[0]))
            print(f"{args.rows:,} rows, {len(info.endpoints)} endpoints")
            results = {}
            for label, serving in (("1 node", nodes[:1]), ("3 nodes", nodes)):
                scan(serving, info)  # warm: files in the page cache, connections open
                runs = [scan(serving, client.get_flight_info(path, options(nodes[0]))) for _ in range(args.repeat)]
                assert all(r[0] == args.rows for r in runs), runs
                results[label] = statistics.median(r[1] for r in runs)
                print(f"{label}: {results[label]:.3f} s median of {args.repeat}, "
                      f"{args.rows / results[label] / 1e6:.1f} M rows/s")
            print(f"3 nodes / 1 node: {results['1 node'] / results['3 nodes']:.2f}x the throughput")
            sql = flight.FlightDescriptor.for_command(b"SELECT count(*) FROM homer_lake.main.t WHERE v < 0")
            pinned = p50_ms(lambda: client.get_flight_info(sql, options(nodes[0])))
            unpinned = p50_ms(lambda: client.get_schema(sql, options(nodes[0])))
            print(f"GetFlightInfo (prepares and pins) p50 {pinned:.2f} ms, GetSchema (prepares) p50 "
                  f"{unpinned:.2f} ms: the pin costs ~{pinned - unpinned:.2f} ms")
        finally:
            for n in nodes:
                n.stop()


if __name__ == "__main__":
    main()
