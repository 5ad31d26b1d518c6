"""The storage policy end to end: date partitions move from the hot volume to a cold one (a real
S3-compatible server on loopback, or a local folder), old partitions are deleted from the last
volume, closed days are rewritten, and through all of it every query surface of every node
answers with each row exactly once.

Two scenarios run once each (module fixtures) and the tests assert on what they recorded:
- `tiered_run`: an all-in-one process (hot local, cold on S3) and a second node-only process on
  the same catalogs; HEP arrives in waves (the later ones "late" packets for days already moved,
  so the same days move and are rewritten again) while readers on HTTP, Flight and Flight SQL of
  the all-in-one and HTTP of the second node check every answer against what was sent.
- `sized_run`: hot with a size limit only, cold local with an age limit (retention); the lake is
  first filled and compacted with no rule in force, then the process restarts with the rules, so
  the partition sizes the size rule sees are known in advance.
A fresh lake makes the first moves wait 35 s (every node must read the marks table first): each
scenario pays it at most once."""
import copy
import re
import datetime as dt
import sqlite3
import threading
import time
from collections import Counter
from pathlib import Path

import pyarrow.flight as flight
import pytest
import requests

from capture import hep3, sip_request, start_capture_node
from conftest import parse_metrics, start_node
from s3_server import S3Server

TABLE = "homer_lake.main.hep_proto_1_call"
TOTALS_SQL = f"SELECT count(*) AS n, count(DISTINCT uuid) AS u, sum(hash(uuid)) AS h FROM {TABLE}"
# Per date and volume (a row is in one volume or the other while it moves): checked per date,
# the volumes say where a wrong count came from.
PER_DATE_SQL = f"SELECT date::VARCHAR AS d, storage_volume AS v, count(*) AS n FROM {TABLE} GROUP BY ALL ORDER BY ALL"
PLACEMENT_SQL = f"SELECT storage_volume, date::VARCHAR, count(*) FROM {TABLE} GROUP BY ALL ORDER BY 2, 1"
GIB = 1 << 30


# ---------------------------------------------------------------- traffic

def utc_day(days_ago=0):
    return (dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=days_ago)).isoformat()


class Traffic:
    """INVITEs with past timestamps; remembers how many were sent per UTC date."""

    def __init__(self, tag):
        self.tag = tag
        self.per_date = Counter()
        self.seq = 0

    @property
    def total(self):
        return sum(self.per_date.values())

    def packets(self, per_day):
        """`per_day`: {days_ago: packets}. Past days at noon + i s, today a few seconds ago."""
        now = time.time()
        out = []
        for days_ago, n in sorted(per_day.items()):
            midnight = dt.datetime.combine(dt.date.fromisoformat(utc_day(days_ago)), dt.time(),
                                           tzinfo=dt.timezone.utc).timestamp()
            for i in range(n):
                self.seq += 1
                ts = now - 2 - (i % 20) if days_ago == 0 else midnight + 12 * 3600 + self.seq
                self.per_date[dt.datetime.fromtimestamp(int(ts), dt.timezone.utc).date().isoformat()] += 1
                out.append(hep3(sip_request("INVITE", f"{self.tag}-{self.seq}"), ts_us=int(ts) * 1_000_000))
        return out


def send(node, packets):
    for i in range(0, len(packets), 200):  # TCP: no datagram may be lost
        node.send_tcp(packets[i:i + 200])


def poll(what, fetch, ok, seconds):
    """fetch() until ok(value); the value, or an AssertionError naming `what` and the last value."""
    deadline = time.time() + seconds
    value = None
    while True:
        try:
            value = fetch()
        except Exception as e:  # noqa: BLE001 - the last error is the message
            value = f"error: {e}"
        if not isinstance(value, str) and ok(value):
            return value
        if time.time() > deadline:
            raise AssertionError(f"{what}: not reached within {seconds} s, last seen {value!r}")
        time.sleep(0.5)


def policy_stats(node):
    r = node.get("/api/v4/node/stats")
    assert r.status_code == 200, r.text
    stats = r.json()
    assert "storage_policy" in stats, f"no storage_policy in /api/v4/node/stats: {sorted(stats)}"
    return stats["storage_policy"]


def http_rows(node, sql):
    r = node.post("/api/v4/node/query", {"sql": sql})
    if r.status_code != 200:
        raise RuntimeError(f"HTTP {r.status_code}: {r.text[:300]}")
    return r.json()["data"]


def placement(node):
    """{(volume, date): rows} as the merged lake says."""
    return {(v, d): n for v, d, n in http_rows(node, PLACEMENT_SQL)}


def per_date(node):
    out = Counter()
    for d, _, n in http_rows(node, PER_DATE_SQL):
        out[d] += n
    return dict(out)


def log_lines(node, *words):
    return [line for line in node.log().splitlines() if any(w in line for w in words)]


# ---------------------------------------------------------------- readers

def _int(x):
    return int(x)  # HUGEINT sums: int (JSON), Decimal (Arrow decimal128)


def http_surface(node):
    session = requests.Session()
    session.headers.update(node.headers())

    def run(sql):
        r = session.post(node.http + "/api/v4/node/query", json={"sql": sql}, timeout=120)
        if r.status_code != 200:
            raise RuntimeError(f"HTTP {r.status_code}: {r.text[:300]}")
        return r.json()["data"]
    return run


def flight_surface(node):
    client = flight.FlightClient(f"grpc://127.0.0.1:{node.port}")
    options = flight.FlightCallOptions(headers=[(b"authorization", f"Bearer {node.token}".encode())], timeout=120)

    def run(sql):
        info = client.get_flight_info(flight.FlightDescriptor.for_command(sql.encode()), options)
        table = client.do_get(info.endpoints[0].ticket, options).read_all()
        return [list(row.values()) for row in table.to_pylist()]
    return run


def flightsql_surface(node):
    conn = node.adbc()

    def run(sql):
        with conn.cursor() as cur:
            cur.execute(sql)
            return [list(row.values()) for row in cur.fetch_arrow_table().to_pylist()]
    return run


class Expected:
    def __init__(self, total, checksum, per_date):
        self.totals = (total, total, checksum)
        self.per_date = dict(per_date)


class Readers:
    """One thread per surface, each asking TOTALS_SQL and PER_DATE_SQL in turn until stopped and
    recording every answer that differs from `expected` (or fails)."""

    def __init__(self, surfaces, expected, window, started):
        self.expected = expected
        self.window = window
        self.started = started
        self.stop_event = threading.Event()
        self.checked = Counter()
        self.violations = []
        self.threads = [threading.Thread(target=self._loop, args=(name, make), daemon=True)
                        for name, make in surfaces.items()]

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop_event.set()
        for t in self.threads:
            t.join(timeout=180)
        assert not any(t.is_alive() for t in self.threads), "a reader did not stop within 180 s (a query hung?)"

    def _violation(self, name, kind, got, want, run=None):
        v = {"window": self.window, "surface": name, "query": kind,
             "at": dt.datetime.now(dt.timezone.utc).strftime("%H:%M:%S.%f")[:-3],
             "at_s": round(time.time() - self.started, 1), "got": got, "expected": want}
        if run is not None and len(self.violations) < 10:
            try:  # the same surface right after: transient or lasting?
                v["then_per_date_volume"] = [tuple(r) for r in run(PER_DATE_SQL)]
            except Exception as e:  # noqa: BLE001
                v["then_per_date_volume"] = f"error: {e}"
        self.violations.append(v)

    def _loop(self, name, make):
        try:
            run = make()
        except Exception as e:  # noqa: BLE001
            self._violation(name, "connect", f"error: {e}", None)
            return
        while not self.stop_event.is_set():
            try:
                row = run(TOTALS_SQL)[0]
                got = tuple(_int(x) for x in row)
            except Exception as e:  # noqa: BLE001
                got = f"error: {e}"
            if got != self.expected.totals:
                self._violation(name, "count(*), count(DISTINCT uuid), sum(hash(uuid))", got, self.expected.totals,
                                run)
            self.checked[name] += 1
            try:
                rows = run(PER_DATE_SQL)
                got = Counter()
                for d, _, n in rows:
                    got[d] += _int(n)
                got = dict(got)
            except Exception as e:  # noqa: BLE001
                got = f"error: {e}"
            if got != self.expected.per_date:
                if isinstance(got, dict):  # only the dates that differ, with their volumes
                    got = {d: {"got": got.get(d), "expected": self.expected.per_date.get(d),
                               "by_volume": [(v, _int(n)) for dd, v, n in rows if dd == d]}
                           for d in sorted(set(got) | set(self.expected.per_date))
                           if got.get(d) != self.expected.per_date.get(d)}
                    self._violation(name, "per-date count", got, "as sent")
                else:
                    self._violation(name, "per-date count", got, self.expected.per_date)
            self.checked[name] += 1


# ---------------------------------------------------------------- metrics

def scrape(node):
    r = node.get("/metrics")
    assert r.status_code == 200, r.text
    return r.text


def consistent_snapshot(node, seconds=60):
    """Stats, /metrics text, stats again, until the two stats agree (no cycle moved in between)."""
    deadline = time.time() + seconds
    while True:
        before = policy_stats(node)
        text = scrape(node)
        after = policy_stats(node)
        keys = ("moves", "move_failures", "moved_rows", "moved_bytes", "expired_rows", "rewrites", "rewrite_failures",
                "maintenance_failures", "compaction_cycles", "busy_skips")
        if all(before[k] == after[k] for k in keys) or time.time() > deadline:
            return after, text
        time.sleep(1)


# ---------------------------------------------------------------- scenario 1: hot + S3 cold, two nodes

WAVES = [
    {d: 100 for d in range(8)},                       # 8 days: today and 7 past days
    {**{d: 30 for d in range(1, 8)}, 0: 30},          # late packets for every moved day
    {2: 25, 4: 25, 6: 25, 7: 10, 0: 20},              # late again, some days only
    {1: 15, 3: 15, 5: 15, 0: 10},
]
MIN_WAVES = 2  # the second wave is the one that moves days again


@pytest.fixture(scope="module")
def tiered_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("policy_s3")
    started = time.time()
    s3 = S3Server(tmp)
    s3.create_bucket("cold")
    lake = tmp / "lake"
    cold = s3.volume(lake, "cold", "cold", priority=1)
    cold.pop("catalog_path")  # the default: <catalog base>_cold.sqlite
    cold.pop("catalog_type")
    storage = {"flush_interval_sec": 1,
               "storage_policy": {"enable": True, "ttl_move_interval_sec": 10, "move_on_startup": True,
                                  "volumes": [{"name": "hot", "type": "local", "priority": 0,
                                               "max_data_age_days": 1}, cold]},
               "compaction": {"enable": True, "check_interval_sec": 10, "min_age_sec": 0,
                              "snapshot_expire_interval_sec": 60}}
    node = start_capture_node(tmp, storage=storage, flightsql=True)
    other = None
    result = {"windows": [], "violations": []}
    try:
        # The second node reads the same catalogs as a tiered HOMER deployment would (default
        # refresh of 30 s), started before any move.
        hot_volume = {"name": "hot", "type": "local", "catalog_path": str(lake / "homer_lake.sqlite"),
                      "path": str(lake / "data") + "/"}
        node_cold = s3.volume(lake, "cold", "cold")
        other = start_node(tmp, [hot_volume, node_cold], refresh=30)
        traffic = Traffic("call")
        moves_in_windows = rewrites_in_windows = 0
        for wave, per_day in enumerate(WAVES, start=1):
            if wave > MIN_WAVES and moves_in_windows >= 4 and rewrites_in_windows >= 2:
                break
            send(node, traffic.packets(per_day))
            total = traffic.total
            count = f"SELECT count(*) FROM {TABLE}"
            poll(f"wave {wave}: all {total} rows in the all-in-one node", lambda: http_rows(node, count)[0][0],
                 lambda v: v == total, 60)
            poll(f"wave {wave}: all {total} rows in the second node", lambda: http_rows(other, count)[0][0],
                 lambda v: v == total, 90)
            quiet = tuple(_int(x) for x in http_rows(node, TOTALS_SQL)[0])
            assert quiet[:2] == (total, total), f"wave {wave}: {quiet} right after it was fully visible, sent {total}"
            other_quiet = tuple(_int(x) for x in http_rows(other, TOTALS_SQL)[0])
            assert other_quiet == quiet, f"wave {wave}: the second node says {other_quiet}, the all-in-one {quiet}"
            expected = Expected(total, quiet[2], traffic.per_date)
            surfaces = {"http": lambda: http_surface(node), "flight": lambda: flight_surface(node),
                        "flightsql": lambda: flightsql_surface(node), "second-node-http": lambda: http_surface(other)}
            before = policy_stats(node)
            t0 = time.time()
            with Readers(surfaces, expected, wave, started) as readers:
                # Until this wave's closed days have all left hot, and a whole compaction cycle
                # ran after that (the cold rewrites of days moved twice).
                today = utc_day()
                hot_closed = f"SELECT count(*) FROM {TABLE} WHERE storage_volume = 'hot' AND date < DATE '{today}'"
                try:
                    poll(f"wave {wave}: every closed day moved out of hot",
                         lambda: http_rows(node, hot_closed)[0][0], lambda v: v == 0, 150)
                    settled = policy_stats(node)["compaction_cycles"]
                    poll(f"wave {wave}: a full compaction cycle after the moves",
                         lambda: policy_stats(node)["compaction_cycles"], lambda v: v >= settled + 2, 60)
                except AssertionError as e:
                    raise AssertionError(f"{e}\npolicy stats {policy_stats(node)}\nwrong answers so far: "
                                         f"{readers.violations[:10]}\n{policy_log(node.log())[-4000:]}") from None
            after = policy_stats(node)
            window = {"wave": wave, "seconds": round(time.time() - t0, 1), "rows": total,
                      "moves": after["moves"] - before["moves"], "rewrites": after["rewrites"] - before["rewrites"],
                      "checked": dict(readers.checked)}
            result["windows"].append(window)
            result["violations"] += readers.violations
            moves_in_windows += window["moves"]
            rewrites_in_windows += window["rewrites"]
        result["traffic"] = traffic
        result["placement"] = placement(node)
        result["other_placement"] = placement(other)
        result["stats"], result["metrics"] = consistent_snapshot(node)
        result["objects"] = [o["Key"] for o in s3.client().list_objects_v2(Bucket="cold").get("Contents", [])]
        result["log"] = node.log()
        result["other_log"] = other.log()
        result["seconds"] = round(time.time() - started, 1)
        print(f"tiered_run: {result['seconds']} s, windows {result['windows']}, stats {result['stats']}")
    finally:  # stopped before the tests: the other scenario runs alone
        for n in (other, node):
            if n is not None:
                n.stop()
        s3.stop()
    yield result


def policy_log(log):
    return "\n".join(line for line in log.splitlines() if "storage policy" in line or "warn" in line or "error" in line)


def describe_violations(run):
    out = [f"{len(run['violations'])} wrong answers (window = wave, at = UTC time, at_s = seconds since the "
           "scenario started, then_per_date_volume = the same surface's next answer per date and volume):"]
    out += [f"  {v}" for v in run["violations"][:20]]
    out.append(f"windows: {run['windows']}")
    out.append("policy log:\n" + policy_log(run["log"])[-6000:])
    return "\n".join(out)


def test_moves_and_compactions_are_invisible_to_every_surface(tiered_run):
    run = tiered_run
    mine = [v for v in run["violations"] if v["surface"] != "second-node-http"]
    assert not mine, describe_violations({**run, "violations": mine})
    for w in run["windows"]:
        for surface in ("http", "flight", "flightsql"):
            assert w["checked"].get(surface, 0) >= 6, f"the {surface} reader barely ran in window {w}"
    moves_in = sum(w["moves"] for w in run["windows"])
    rewrites_in = sum(w["rewrites"] for w in run["windows"])
    assert moves_in >= 4 and rewrites_in >= 2, \
        f"too few moves ({moves_in}) or rewrites ({rewrites_in}) while the readers ran: {run['windows']}"
    assert any(w["moves"] > 0 for w in run["windows"][1:]), \
        f"no day moved a second time (late packets) while the readers ran: {run['windows']}"
    stats = run["stats"]
    assert stats["moves"] >= 4 and stats["rewrites"] >= 2, stats
    assert stats["move_failures"] == 0 and stats["rewrite_failures"] == 0, \
        f"{stats}\n{policy_log(run['log'])[-4000:]}"
    assert stats["moved_rows"] >= run["traffic"].total - run["traffic"].per_date[utc_day()], stats

    # Every closed day in cold, today in hot, each with exactly the rows sent.
    today = utc_day()
    want = {("hot" if d >= today else "cold", d): n for d, n in run["traffic"].per_date.items()}
    assert run["placement"] == want, f"placement {run['placement']}, expected {want}"
    # The cold files really are on S3, in the search layout.
    parquet = [k for k in run["objects"] if k.endswith(".parquet")]
    assert parquet and all(Path(k).name.startswith("homer-") for k in parquet), run["objects"]
    closed = {d for d in run["traffic"].per_date if d < today}
    assert {k.split("date=")[1].split("/")[0] for k in parquet if "date=" in k} >= closed, parquet


def test_a_separate_node_reading_the_same_catalogs_sees_each_row_once(tiered_run):
    run = tiered_run
    theirs = [v for v in run["violations"] if v["surface"] == "second-node-http"]
    assert not theirs, describe_violations({**run, "violations": theirs})
    for w in run["windows"]:
        assert w["checked"].get("second-node-http", 0) >= 6, f"the second node's reader barely ran in window {w}"
    assert sum(w["moves"] for w in run["windows"]) >= 4, run["windows"]
    assert run["other_placement"] == run["placement"], \
        f"the second node places rows as {run['other_placement']}, the all-in-one as {run['placement']}"


# ---------------------------------------------------------------- scenario 2: size rule + retention

SIZED_DAYS = range(10)  # today and 9 past days
KEEP_HOT = 3            # the size limit is set so that today and the 2 days before stay hot
RETENTION_DAYS = 4      # cold deletes days <= today - 4


def hot_partitions(catalog_path):
    """{date: (files, rows, bytes, all ours)} of hep_proto_1_call's live files, read from the
    sqlite catalog as the policy's size rule reads it."""
    con = sqlite3.connect(f"file:{catalog_path}?mode=ro", uri=True, timeout=30)
    try:
        rows = con.execute(
            "SELECT v.partition_value, count(*), sum(f.record_count), sum(f.file_size_bytes), "
            "min(f.path LIKE '%homer-%') FROM ducklake_data_file f "
            "JOIN ducklake_table t ON t.table_id = f.table_id AND t.end_snapshot IS NULL "
            "JOIN ducklake_schema sc ON sc.schema_id = t.schema_id AND sc.end_snapshot IS NULL "
            "JOIN ducklake_file_partition_value v ON v.data_file_id = f.data_file_id "
            "WHERE f.end_snapshot IS NULL AND sc.schema_name = 'main' AND t.table_name = 'hep_proto_1_call' "
            "GROUP BY 1 ORDER BY 1").fetchall()
    finally:
        con.close()
    return {str(d): (files, rows_, size, bool(ours)) for d, files, rows_, size, ours in rows}


@pytest.fixture(scope="module")
def sized_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("policy_size")
    started = time.time()
    lake = tmp / "lake"
    storage = {"flush_interval_sec": 1,
               "storage_policy": {"enable": True, "ttl_move_interval_sec": 10, "move_on_startup": True,
                                  "volumes": [{"name": "hot", "type": "local", "priority": 0},
                                              {"name": "cold", "type": "local", "priority": 1,
                                               "path": str(lake / "cold") + "/"}]},
               "compaction": {"enable": True, "check_interval_sec": 10, "min_age_sec": 0}}
    # Phase A: no rule in force; the policy creates cold's tables and marks and compacts hot.
    node = start_capture_node(tmp, storage=storage, name="phase-a")
    nodes = [node]
    try:
        traffic = Traffic("sized")
        send(node, traffic.packets({d: 40 + 7 * d for d in SIZED_DAYS}))
        total = traffic.total
        poll(f"all {total} rows visible", lambda: http_rows(node, f"SELECT count(*) FROM {TABLE}")[0][0],
             lambda v: v == total, 60)
        catalog = lake / "homer_lake.sqlite"
        today = utc_day()
        closed = sorted(d for d in traffic.per_date if d < today)
        poll("every closed day of hot compacted into one homer-*.parquet file", lambda: hot_partitions(catalog),
             lambda p: all(d in p and p[d][0] == 1 and p[d][3] for d in closed), 90)
        assert policy_stats(node)["moves"] == 0, policy_stats(node)
        node.stop()
        sizes = hot_partitions(catalog)
        days = sorted(sizes, reverse=True)  # newest first
        keep = sum(sizes[d][2] for d in days[:KEEP_HOT])
        limit = keep + sizes[days[KEEP_HOT]][2] // 2  # bytes: the next oldest day does not fit
        factor = 0.8
        # Phase B: the same lake with hot limited by size and cold by age.
        config = copy.deepcopy(node.config)
        volumes = config["storage"]["ducklake"]["storage_policy"]["volumes"]
        config["storage"]["ducklake"]["storage_policy"]["move_factor"] = factor
        volumes[0]["max_size_gb"] = limit / factor / GIB
        volumes[1]["max_data_age_days"] = RETENTION_DAYS
        node = start_capture_node(tmp, config=config, name="phase-b")
        nodes.append(node)
        moved_days = days[KEEP_HOT:]
        done = poll("the size rule's moves and retention", lambda: policy_stats(node),
                    lambda s: s["moves"] >= len(moved_days) and s["expired_rows"] > 0, 90)
        # One more move cycle: nothing else moves or expires.
        poll("one more move cycle", lambda: policy_stats(node)["move_cycles"],
             lambda v: v >= done["move_cycles"] + 2, 60)
        stats, metrics = consistent_snapshot(node)
        result = {"traffic": traffic, "sizes": sizes, "limit": limit, "days": days, "moved_days": moved_days,
               "placement": placement(node), "per_date": per_date(node),
               "hot_after": hot_partitions(catalog), "stats": stats, "metrics": metrics, "log": node.log(),
               "cold_files": sorted(str(p.relative_to(lake / "cold")) for p in (lake / "cold").rglob("*.parquet")),
               "seconds": round(time.time() - started, 1)}
        print(f"sized_run: {result['seconds']} s, stats {result['stats']}")
    finally:
        for n in nodes:
            n.stop()
    yield result


def test_retention_deletes_old_partitions_from_the_last_volume(sized_run):
    run = sized_run
    sent = run["traffic"].per_date
    cutoff = utc_day(RETENTION_DAYS)
    gone = {d: n for d, n in sent.items() if d <= cutoff}
    kept = {d: n for d, n in sent.items() if d > cutoff}
    assert len(gone) == len(SIZED_DAYS) - RETENTION_DAYS, gone
    assert run["per_date"] == kept, \
        f"after retention (days <= {cutoff} deleted) the lake holds {run['per_date']}, expected {kept}"
    assert run["stats"]["expired_rows"] == sum(gone.values()), \
        f"expired_rows {run['stats']['expired_rows']}, deleted {sum(gone.values())} rows ({gone})"
    assert "retention deleted" in run["log"], policy_log(run["log"])
    # Cold keeps the moved day that is young enough.
    young = {d for d in run["moved_days"] if d > cutoff}
    assert {d for (v, d) in run["placement"] if v == "cold"} == young, run["placement"]


def test_moves_by_size(sized_run):
    run = sized_run
    sent = run["traffic"].per_date
    hot_days = sorted(run["days"][:KEEP_HOT])
    hot = {d: n for (v, d), n in run["placement"].items() if v == "hot"}
    sizes = {d: run["sizes"][d][2] for d in run["days"]}
    assert hot == {d: sent[d] for d in hot_days}, \
        f"hot holds {hot}, expected the {KEEP_HOT} newest days {hot_days} (limit {run['limit']} bytes, " \
        f"partition bytes {sizes})"
    assert utc_day() in hot, "today's partition left hot"
    left = sum(p[2] for p in run["hot_after"].values())
    assert left <= run["limit"], f"hot still holds {left} bytes, limit {run['limit']}: {run['hot_after']}"
    stats = run["stats"]
    assert stats["moves"] == len(run["moved_days"]), \
        f"{stats['moves']} moves, expected one per day {run['moved_days']}: {policy_log(run['log'])}"
    assert stats["moved_rows"] == sum(sent[d] for d in run["moved_days"]), stats
    assert stats["move_failures"] == 0, f"{stats}\n{policy_log(run['log'])}"
    moved = re.findall(r"storage policy: moved hep_proto_1_call (\S+) from hot to cold", run["log"])
    assert sorted(moved) == sorted(run["moved_days"]), policy_log(run["log"])


@pytest.mark.parametrize("scenario", ["tiered_run", "sized_run"])
def test_policy_metrics_parse(scenario, request):
    run = request.getfixturevalue(scenario)
    stats = run["stats"]
    samples, types = parse_metrics(run["metrics"])

    def value(name, **labels):
        return samples.get((name, tuple(sorted(labels.items()))), 0)

    for family in ("homer_policy_moves", "homer_policy_moved_rows", "homer_policy_moved_bytes",
                   "homer_policy_expired_rows", "homer_policy_rewrites", "homer_policy_maintenance_steps"):
        assert types.get(family) == "counter", f"{family}: {types.get(family)} (families: {sorted(types)})"
    assert stats["moves"] > 0, stats
    assert value("homer_policy_moves_total", outcome="ok") == stats["moves"], stats
    assert value("homer_policy_moves_total", outcome="failed") == stats["move_failures"] == 0, stats
    assert value("homer_policy_moved_rows_total") == stats["moved_rows"] > 0, stats
    assert value("homer_policy_moved_bytes_total") == stats["moved_bytes"] > 0, stats
    assert value("homer_policy_expired_rows_total") == stats["expired_rows"], stats
    assert value("homer_policy_rewrites_total", outcome="ok") == stats["rewrites"], stats
    assert value("homer_policy_rewrites_total", outcome="failed") == stats["rewrite_failures"] == 0, stats
    steps = {}
    for (name, labels), v in samples.items():
        if name == "homer_policy_maintenance_steps_total":
            steps.setdefault(dict(labels)["step"], Counter())[dict(labels)["outcome"]] += v
    for step in ("ducklake_expire_snapshots", "ducklake_cleanup_old_files",
                 "ducklake_delete_orphaned_files"):
        assert step in steps, f"no {step} in homer_policy_maintenance_steps_total: {steps}"
    failed = sum(c["failed"] for c in steps.values())
    assert failed <= stats["maintenance_failures"], (steps, stats)
    # Each compaction cycle runs every step once per volume (the running cycle perhaps not yet).
    volumes = len(stats["volumes"])
    cycles = stats["compaction_cycles"]
    for step, c in steps.items():
        n = c["ok"] + c["failed"]
        assert (cycles - 1) * volumes - stats["busy_skips"] <= n <= cycles * volumes, \
            f"{step} ran {n} times in {cycles} compaction cycles over {volumes} volumes: {stats}"
    if scenario == "tiered_run":
        assert stats["rewrites"] > 0 and value("homer_policy_rewrites_total", outcome="ok") > 0, stats
    else:
        assert stats["expired_rows"] > 0, stats
