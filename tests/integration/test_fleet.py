"""A fleet on one machine (tests/integration/fleet.py, examples/fleet/): one DuckLake on a private
PostgreSQL 15 catalog with its data on S3 (moto), two writers ingesting HEP (bench/hep_sender over
TCP) and committing to it, three node-only homer-node processes serving it through HAProxy
(HTTP JSON, Flight over h2c, Flight SQL on the coordinator's kind of front).

16 clients query continuously over all three surfaces: no error at all for LOAD_SEC, counts never
decreasing for any client; then one node is killed with -9 mid-load (clients see only retryable
errors, and succeed on retry), restarted, and HAProxy sends it queries again. Once the senders
stop and the writers have flushed, every surface counts exactly the rows the writers flushed.
The original HOMER coordinator's node calls are played against the fleet through HAProxy."""
import collections
import os
import re
import threading
import time

import adbc_driver_flightsql
import adbc_driver_flightsql.dbapi as flightsql
import pyarrow.flight as flight
import pytest
import requests

from conftest import metric_sum, parse_metrics
from fleet import TABLES, Fleet

# All 16 clients, no node killed: no error at all. HOMER_FLEET_LOAD_SEC=600 makes it a soak.
LOAD_SEC = float(os.environ.get("HOMER_FLEET_LOAD_SEC", 125))
DOWN_SEC = 8            # one node killed -9 this long before it is restarted
REJOIN_SEC = 90         # the restarted node answers on every surface within this (see the test)
RETRIES, BACKOFF = 5, 0.2
SENDER_RATE = 300       # HEP packets/s to each writer
COUNT_SQL = ("SELECT (SELECT count(*) FROM homer_lake.main.hep_proto_1_call), "
             "(SELECT count(*) FROM homer_lake.main.hep_proto_1_registration)")


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    with Fleet(tmp_path_factory.mktemp("fleet"), writers=2, nodes=3, flush_interval_sec=3) as f:
        yield f


class Retryable(Exception):
    pass


class Client(threading.Thread):
    """Runs COUNT_SQL in a loop over one surface; per query, up to RETRIES retries of a retryable
    error (HTTP 502/503/504 or a cut connection, gRPC UNAVAILABLE) with a short backoff."""

    def __init__(self, fleet, surface, stop):
        super().__init__(daemon=True)
        self.fleet, self.surface, self.stop_event = fleet, surface, stop
        self.queries = self.retries = 0
        self.failures, self.errors, self.decreases = [], collections.Counter(), []
        self.last = (0, 0)
        self.headers = {"Authorization": f"Bearer {fleet.token}"}
        self.session = requests.Session()
        self.flight = self.adbc = None

    def connect(self):
        if self.surface == "flight":
            self.flight = flight.FlightClient(self.fleet.flight_url)
            self.options = flight.FlightCallOptions(headers=[(b"authorization", f"Bearer {self.fleet.token}".encode())],
                                                    timeout=60)
        elif self.surface == "flightsql":
            self.adbc = flightsql.connect(self.fleet.flightsql_url, autocommit=True, db_kwargs={
                adbc_driver_flightsql.DatabaseOptions.AUTHORIZATION_HEADER.value: f"Bearer {self.fleet.token}",
                adbc_driver_flightsql.DatabaseOptions.TIMEOUT_QUERY.value: "60"})

    def query_once(self):
        try:
            if self.surface == "http":
                r = self.session.post(self.fleet.http_url + "/api/v4/node/query", json={"sql": COUNT_SQL},
                                      headers=self.headers, timeout=60)
                if r.status_code in (502, 503, 504):
                    raise Retryable(f"HTTP {r.status_code}: {r.text[:200]}")
                assert r.status_code == 200, r.text
                return tuple(r.json()["data"][0])
            if self.surface == "coordinator":  # the original's POST /query
                r = self.session.post(self.fleet.http_url + "/query", json={"sql": COUNT_SQL}, headers=self.headers,
                                      timeout=60)
                if r.status_code in (502, 503, 504):
                    raise Retryable(f"HTTP {r.status_code}: {r.text[:200]}")
                body = r.json()
                assert r.status_code == 200 and body["success"] and body["count"] == 1, r.text
                return tuple(body["data"][0].values())
            if self.surface == "flight":
                info = self.flight.get_flight_info(flight.FlightDescriptor.for_command(COUNT_SQL.encode()),
                                                   self.options)
                table = self.flight.do_get(info.endpoints[0].ticket, self.options).read_all()
                return tuple(c[0].as_py() for c in table.columns)
            cur = self.adbc.cursor()
            try:
                cur.execute(COUNT_SQL)
                return tuple(cur.fetchone())
            finally:
                cur.close()
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError, requests.Timeout) as e:
            raise Retryable(f"{type(e).__name__}: {e}") from e
        except flight.FlightUnavailableError as e:
            raise Retryable(f"Flight UNAVAILABLE: {e}") from e
        except Exception as e:  # noqa: BLE001 - sorted by what the client was told
            # A node killed mid-answer: HAProxy ends the client's stream (END_STREAM) without gRPC's
            # status trailers, which the gRPC client reports as UNKNOWN "Stream removed" (pyarrow) or
            # "server closed the stream without sending trailers" (ADBC's Go client). The answer was
            # cut, nothing of it reached the caller: a transport failure, retryable.
            if "Stream removed" in str(e) or "closed the stream without sending trailers" in str(e):
                raise Retryable(f"{self.surface}: {e}") from e
            # ADBC: its status says whether the server was unavailable.
            if self.surface == "flightsql" and re.search(r"Unavailable|\bIO\b", str(e)):
                raise Retryable(f"Flight SQL: {e}") from e
            raise

    def run(self):
        self.connect()
        while not self.stop_event.is_set():
            for attempt in range(RETRIES + 1):
                try:
                    counts = self.query_once()
                    break
                except Retryable as e:
                    self.errors[_shape(str(e))] += 1
                    if attempt == RETRIES:
                        self.failures.append(f"after {RETRIES} retries: {e}")
                        counts = None
                        break
                    self.retries += 1
                    time.sleep(BACKOFF * (attempt + 1))
                except Exception as e:  # noqa: BLE001 - every other error is a failed query
                    self.errors[_shape(str(e))] += 1
                    self.failures.append(f"{type(e).__name__}: {e}")
                    counts = None
                    break
            if counts is None:
                continue
            self.queries += 1
            if any(c < p for c, p in zip(counts, self.last)):
                self.decreases.append((self.last, counts))
            self.last = counts


def _shape(message):
    """An error message with its numbers blanked, to count errors by kind."""
    return re.sub(r"\d+", "N", message)[:200]


def snapshot(clients):
    return {"queries": sum(c.queries for c in clients), "retries": sum(c.retries for c in clients),
            "failures": sum(len(c.failures) for c in clients), "errors": sum(sum(c.errors.values()) for c in clients)}


def client_errors(clients):
    """Every client's errors, by kind."""
    errors = collections.Counter()
    for c in clients:
        errors.update(c.errors)
    return errors


def metrics(node):
    """The node's /metrics samples."""
    return parse_metrics(requests.get(node.http + "/metrics", headers=node.headers(), timeout=10).text)[0]


def test_two_writers_three_nodes_sixteen_clients_through_haproxy_and_a_node_killed(fleet):
    report = {}
    senders = [w.send(3600, SENDER_RATE, f"site{i + 1}") for i, w in enumerate(fleet.writers)]
    stop = threading.Event()
    surfaces = ["http"] * 4 + ["coordinator"] * 2 + ["flight"] * 5 + ["flightsql"] * 5
    clients = [Client(fleet, s, stop) for s in surfaces]
    try:
        started = time.time()
        for c in clients:
            c.start()
        time.sleep(LOAD_SEC)
        load = snapshot(clients)
        report["load"] = {**load, "seconds": round(time.time() - started, 1)}
        assert load["errors"] == 0 and load["failures"] == 0, (load, client_errors(clients).most_common(10))
        assert load["queries"] > 16 * 10, load
        assert all(c.queries > 0 for c in clients), [(c.surface, c.queries) for c in clients]

        # kill -9 one node mid-load; HAProxy marks it down, clients retry onto the others.
        victim = fleet.nodes[1]
        served_before = {b: int(fleet.haproxy.servers(b)[victim.name]["stot"])
                         for b in ("nodes_http", "nodes_flight", "nodes_flightsql")}
        victim.kill()
        killed_at = time.time()
        assert fleet.haproxy.wait_status(victim.name, "DOWN", seconds=DOWN_SEC), fleet.haproxy.command("show stat")
        report["marked_down_sec"] = round(time.time() - killed_at, 1)
        time.sleep(max(0.0, DOWN_SEC - (time.time() - killed_at)))
        victim.start()
        restarted_at = time.time()
        assert fleet.haproxy.wait_status(victim.name, "UP", seconds=30), fleet.haproxy.command("show stat")
        report["marked_up_after_restart_sec"] = round(time.time() - restarted_at, 1)
        # It rejoined: HAProxy sends it requests on every front, and it answers queries on every
        # surface. Flight and Flight SQL not at once: their tickets are pinned to a snapshot that
        # is older than the current one by the time they are redeemed, and there this count(*)
        # reads every data file's Parquet footer (DuckLake answers it from catalog statistics at
        # the current snapshot, as HTTP's unpinned count is); a restarted node has none cached:
        # hundreds of files on S3 after minutes of flushes, 27-37 s on this loaded machine.
        answered, rejoined = {}, {}
        while time.time() - restarted_at < REJOIN_SEC and len(rejoined) < 3:
            time.sleep(1)
            samples = metrics(victim)
            answered = {s: metric_sum(samples, "homer_queries_total", surface=s, outcome="ok")
                        for s in ("http", "flight", "flightsql")}
            rejoined.update({s: round(time.time() - restarted_at, 1) for s, n in answered.items()
                             if n > 0 and s not in rejoined})
        served_after = {b: int(fleet.haproxy.servers(b)[victim.name]["stot"]) for b in served_before}
        assert all(served_after[b] > served_before[b] for b in served_before), (served_before, served_after)
        if len(rejoined) < 3:
            queries = {k: v for k, v in metrics(victim).items()
                       if k[0] in ("homer_queries_total", "homer_pinned_queries_total")}
            raise AssertionError(f"the restarted node answered {answered} in {REJOIN_SEC} s; its counters: "
                                 f"{queries}; client errors: {client_errors(clients).most_common(8)}; "
                                 f"its log:\n{victim.log()[-3000:]}")
        report["restarted_node_first_answer_sec"] = rejoined
        report["restarted_node_queries_ok"] = answered
    finally:
        stop.set()
        for c in clients:
            c.join(timeout=120)
        for s in senders:
            s.terminate()
            s.wait(timeout=10)
    total = snapshot(clients)
    report["kill_phase"] = {k: total[k] - load[k] for k in total}
    report["total"] = {**total, "seconds": round(time.time() - started, 1)}
    report["errors_by_kind"] = client_errors(clients).most_common(10)
    report["queries_by_surface"] = dict(collections.Counter(
        {s: sum(c.queries for c in clients if c.surface == s) for s in set(surfaces)}))
    print("\nfleet report (load):", report)
    failures = [f for c in clients for f in c.failures]
    assert not failures, (failures[:5], report)
    assert not [d for c in clients for d in c.decreases], [(c.surface, c.decreases[:3]) for c in clients]

    # Quiet: what the writers flushed is exactly what every surface counts through HAProxy.
    flushed = [w.wait_flushed() for w in fleet.writers]
    expected = tuple(sum(f.get(t, 0) for f in flushed) for t in TABLES)
    report["rows_flushed"] = dict(zip(TABLES, expected))
    report["writers"] = [{k: w.capture()["writer"][k] for k in ("flushes", "commit_conflicts", "flush_failures")}
                         for w in fleet.writers]
    assert all(x > 0 for x in expected), expected
    for surface in ("http", "coordinator", "flight", "flightsql"):
        probe = Client(fleet, surface, threading.Event())
        probe.connect()
        for _ in range(6):  # every node: least-connections spreads these
            assert probe.query_once() == expected, surface
        if probe.adbc:
            probe.adbc.close()
    for c in clients:
        assert all(last <= e for last, e in zip(c.last, expected)), (c.surface, c.last, expected)
    # What HAProxy absorbed itself: connection retries (wretr) and redispatches (wredis) per front.
    report["haproxy_retries"] = {b: {k: sum(int(s[k] or 0) for s in fleet.haproxy.servers(b).values())
                                     for k in ("wretr", "wredis")}
                                 for b in ("nodes_http", "nodes_flight", "nodes_flightsql")}
    invalidated = sum(n.log().count("invalidated") for n in fleet.nodes)
    report["database_invalidated_in_node_logs"] = invalidated
    print("\nfleet report:", report)
    for c in clients:
        if c.adbc:
            c.adbc.close()


def test_the_original_coordinators_calls_through_haproxy(fleet):
    """HOMER's coordinator: GET /health every 15 s, POST /query with the node token, answer
    {"success","data","count"} ({"success": false, "error"} on a bad query)."""
    for _ in range(6):
        r = requests.get(fleet.http_url + "/health", timeout=10)
        assert r.status_code == 200 and r.json() == {"status": "ok", "module": "node"}, r.text
    auth = {"Authorization": f"Bearer {fleet.token}"}
    sql = ("SELECT method, count(*) AS n FROM homer_lake.main.hep_proto_1_call "
           "WHERE method IN ('INVITE', 'BYE') GROUP BY ALL ORDER BY method")
    answers = []
    for _ in range(6):
        r = requests.post(fleet.http_url + "/query", json={"sql": sql}, headers=auth, timeout=30)
        body = r.json()
        assert r.status_code == 200 and body["success"] is True, r.text
        assert body["count"] == len(body["data"]) and all(set(row) == {"method", "n"} for row in body["data"]), body
        answers.append(body)
    r = requests.post(fleet.http_url + "/query", json={"sql": "SELECT * FROM no_such_table"}, headers=auth, timeout=30)
    assert r.status_code == 400 and r.json()["success"] is False and "no_such_table" in r.json()["error"], r.text
    r = requests.post(fleet.http_url + "/query", json={"sql": "SELECT 1"}, timeout=30)
    assert r.status_code == 401, r.text
    r = requests.post(fleet.http_url + "/query", json={"sql": "SELECT 1"}, timeout=30,
                      headers={"Authorization": "bearer wrong-token"})
    assert r.status_code == 401, r.text
    # Every node answered some of these (least connections, one after the other: round robin).
    served = fleet.haproxy.servers("nodes_http")
    assert all(int(s["stot"]) > 0 for s in served.values()), served
