"""A homer-node fleet on this machine, until Ctrl-C (see README, "Scaling out"):

  PostgreSQL 15 (a private cluster in a temporary folder, run as an unprivileged user)  DuckLake catalog
  S3 server (moto)                                                                       the lake's files
  writer1, writer2: homer-node with ingest + storage (+ node for their stats)            two capture sites
  node1..nodeN: node-only homer-node, one volume on the same catalog                     the query tier
  HAProxy: HTTP, Flight (h2c) and Flight SQL fronts with health checks and retries       one address

    examples/fleet/run.sh [--nodes 3] [--rate 200] [--http-port 50052] [--flight-port 50051]
                          [--flightsql-port 32010] [--dir DIR]

Everything runs from a temporary folder (configs, logs, journals), removed at the end unless --keep.
"""
import argparse
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "integration"))

from fleet import Fleet  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nodes", type=int, default=3, help="node-only processes behind HAProxy (3)")
    ap.add_argument("--writers", type=int, default=2, help="capture sites: writers with their own HEP ports (2)")
    ap.add_argument("--rate", type=int, default=200,
                    help="HEP packets/s bench/hep_sender sends to each writer (0: none, send your own)")
    ap.add_argument("--http-port", type=int, default=50052, help="HAProxy's HTTP front (50052)")
    ap.add_argument("--flight-port", type=int, default=50051, help="HAProxy's Flight front (50051)")
    ap.add_argument("--flightsql-port", type=int, default=32010,
                    help="HAProxy's Flight SQL front (32010, the original coordinator's)")
    ap.add_argument("--token", default="fleet-token", help="bearer token of every node")
    ap.add_argument("--flush-interval-sec", type=int, default=5, help="the writers' flush_interval_sec (5)")
    ap.add_argument("--dir", help="working folder (default: a new temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep the working folder (configs, logs)")
    args = ap.parse_args()

    root = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="homer-fleet-"))
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    fleet = Fleet(root, writers=args.writers, nodes=args.nodes, token=args.token,
                  flush_interval_sec=args.flush_interval_sec, http_port=args.http_port,
                  flight_port=args.flight_port, flightsql_port=args.flightsql_port)
    senders = []
    try:
        print(f"starting PostgreSQL, S3, {args.writers} writers, {args.nodes} nodes and HAProxy in {root} ...",
              flush=True)
        fleet.start()
        if args.rate > 0:
            senders = [w.send(10 ** 7, args.rate, f"site{i + 1}") for i, w in enumerate(fleet.writers)]
        t = args.token
        print(f"""
fleet up (token {t}):
  HTTP JSON API   {fleet.http_url}      (HAProxy -> {', '.join(f'{n.name} :{n.port + 1}' for n in fleet.nodes)})
  Arrow Flight    {fleet.flight_url}     (h2c; -> {', '.join(f':{n.port}' for n in fleet.nodes)})
  Flight SQL      {fleet.flightsql_url}     (-> {', '.join(f':{n.flightsql_port}' for n in fleet.nodes)})
  HAProxy admin   {fleet.haproxy.socket} (a stats socket: "show stat", "show servers state")
  catalog         postgres: {fleet.pg.dsn} (password {fleet.pg.password})
  data            s3://homer/lake/ on http://127.0.0.1:{fleet.s3.port}
  HEP in          """ + "\n                  ".join(
            f"{w.name}: UDP/TCP 127.0.0.1:{w.hep_port}, HTTP :{w.hep_port + 1}/api/hep, "
            f"stats {w.http}/api/v4/node/stats" for w in fleet.writers) + f"""
  (bench/hep_sender sends {args.rate} packets/s to each writer; rows reach the nodes at each flush)

  curl -s -X POST {fleet.http_url}/api/v4/node/query -H 'Authorization: Bearer {t}' \\
    -d '{{"sql": "SELECT method, count(*) FROM homer_lake.main.hep_proto_1_call GROUP BY ALL"}}'
  curl -s -X POST {fleet.http_url}/query -H 'Authorization: Bearer {t}' -d '{{"sql": "SELECT 42 AS answer"}}'

logs and configs: {root}
Ctrl-C stops everything.""", flush=True)
        while not stopping:
            time.sleep(0.5)
            dead = [p.name for p in [*fleet.writers, *fleet.nodes] if not p.running()]
            if dead:
                print(f"stopped on its own: {', '.join(dead)} (see {root})", flush=True)
                break
    except KeyboardInterrupt:
        pass
    finally:
        print("stopping ...", flush=True)
        for s in senders:
            s.terminate()
            s.wait()
        fleet.stop()
        if not args.keep and not args.dir:
            shutil.rmtree(root, ignore_errors=True)
        print("stopped", flush=True)


if __name__ == "__main__":
    main()
