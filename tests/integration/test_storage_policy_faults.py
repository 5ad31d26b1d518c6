"""The storage policy under faults: the process killed (SIGKILL) at each step of a partition move
and of a compaction rewrite, the S3 cold tier unreachable during moves, and a vacuum holding the
maintenance lock. After each, every packet sent must be in the lake exactly once: through the
node's merged views, and read straight from the volume catalogs (where no move mark hides a row).

A kill is asked for with HOMER_TEST_CRASH_AT=<step> (src/policy/crash_point.cc). Moves into a
freshly created destination table wait 35 s; so each test first runs the node once without the
variable (the writer and the policy create every table and the marks table at startup), sends the
packets, stops it gracefully (every row flushed), and then restarts it with move_on_startup: the
first move cycle runs at once."""
import collections
import datetime
import fcntl
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from capture import CaptureNode, capture_config, hep3, sip_request
from conftest import BINARY, free_port_pair, node_environment, wait_for_port, wait_until_up, writer_connection

TABLE = "hep_proto_1_call"
DAYS = 6            # today and the 5 days before
PER_DAY = 60        # packets per day
CRASH_DEADLINE = 120  # seconds for a restarted node to reach its crash step
CYCLE_DEADLINE = 120  # seconds for a policy cycle to show its effect (10 s interval, a busy machine)


# ---------------------------------------------------------------------------------------------
# The node: started with the tests' config, optionally with HOMER_TEST_CRASH_AT.

class Nodes:
    """Every process a test started; the ones still running are stopped at teardown."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.started = []

    def config(self, storage):
        port, hep_port = free_port_pair(), free_port_pair()
        return capture_config(self.tmp_path, port, hep_port, hep_port + 1,
                              storage={"flush_interval_sec": 1, **storage})

    def launch(self, config, name, crash_at=None):
        """The process, not waited for (one that crashes may never answer /health)."""
        assert BINARY.exists(), f"build homer-node first ({BINARY})"
        config_path = self.tmp_path / f"{name}.json"
        config_path.write_text(json.dumps(config, indent=2))
        log_path = self.tmp_path / f"{name}.log"
        env = {k: v for k, v in node_environment().items() if k != "HOMER_TEST_CRASH_AT"}
        if crash_at:
            env["HOMER_TEST_CRASH_AT"] = crash_at
        with open(log_path, "w") as log:
            proc = subprocess.Popen([str(BINARY), "--config", str(config_path)], stdout=log,
                                    stderr=subprocess.STDOUT, env=env)
        node = CaptureNode(proc, config["node"]["flight_server"]["port"],
                           config["node"]["flight_server"]["auth_token"], config_path, log_path)
        node.config = config
        node.hep_port = config["ingest"]["udp"]["port"]
        node.hep_http_port = config["ingest"]["http"]["port"]
        node.name = name
        self.started.append(node)
        return node

    def start(self, config, name):
        node = self.launch(config, name)
        return wait_until_up(node, lambda deadline: wait_for_port(node.hep_port, deadline))

    def crash(self, config, step, name):
        """Run the node until HOMER_TEST_CRASH_AT=step kills it; its log."""
        node = self.launch(config, name, crash_at=step)
        try:
            rc = node.proc.wait(timeout=CRASH_DEADLINE)
        except subprocess.TimeoutExpired:
            node.proc.kill()
            node.proc.wait()
            pytest.fail(f"homer-node with HOMER_TEST_CRASH_AT={step} did not reach that step in "
                        f"{CRASH_DEADLINE} s; log tail:\n{tail(node)}")
        log = node.log()
        assert rc == -signal.SIGKILL, f"expected the SIGKILL of {step}, got exit code {rc}; log tail:\n{tail(node)}"
        assert f"HOMER_TEST_CRASH_AT={step}: killing the process" in log, tail(node)
        return log

    def stop_all(self):
        for node in self.started:
            if node.proc.poll() is None:
                node.proc.kill()
                node.proc.wait()


@pytest.fixture
def nodes(tmp_path):
    n = Nodes(tmp_path)
    yield n
    n.stop_all()


def tail(node, lines=60):
    return "\n".join(node.log().splitlines()[-lines:])


def stop_gracefully(node):
    """SIGTERM: the writer flushes every buffered row before it exits."""
    node.proc.send_signal(signal.SIGTERM)
    rc = node.proc.wait(timeout=60)
    assert rc == 0, f"homer-node did not stop cleanly (exit {rc}); log tail:\n{tail(node)}"
    assert "every buffered row is in the lake" in node.log(), tail(node)


def policy_stats(node):
    r = node.get("/api/v4/node/stats")
    assert r.status_code == 200, r.text
    return r.json()["storage_policy"]


def poll(what, check, seconds=CYCLE_DEADLINE, every=0.5):
    """check() -> (done, value) until done; fails with the last value after `seconds`."""
    deadline = time.time() + seconds
    while True:
        done, value = check()
        if done:
            return value
        if time.time() > deadline:
            pytest.fail(f"{what}: not within {seconds} s; last seen: {value}")
        time.sleep(every)


# ---------------------------------------------------------------------------------------------
# Packets and what the lake must hold.

def utc_today():
    return datetime.datetime.now(datetime.timezone.utc).date()


def day_packets(tag):
    """PER_DAY INVITEs on each of the last DAYS UTC days (unique Call-IDs); (packets, {date: n})."""
    today = utc_today()
    packets, per_date = [], collections.Counter()
    for d in range(DAYS):
        day = today - datetime.timedelta(days=d)
        midnight = int(datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.timezone.utc).timestamp())
        for i in range(PER_DAY):
            ts = midnight + 60 + 7 * i
            packets.append(hep3(sip_request("INVITE", f"{tag}-{day}-{i}"), ts_us=ts * 1_000_000))
            per_date[datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).date().isoformat()] += 1
    return packets, dict(per_date)


def old_dates(per_date, max_age_days):
    """The dates the policy moves: date <= today - max_data_age_days (UTC)."""
    cutoff = (utc_today() - datetime.timedelta(days=max_age_days)).isoformat()
    return sorted(d for d in per_date if d <= cutoff)


def send_and_wait(node, packets):
    node.send_udp(packets)
    seen = node.wait_for(f"SELECT count(*) FROM homer_lake.main.{TABLE}", len(packets), seconds=60)
    assert seen == len(packets), f"{len(packets)} packets sent, the lake shows {seen}; log:\n{tail(node)}"


def node_view(node):
    """Through the merged views: ({volume: {date: rows}}, rows, distinct uuids, distinct Call-IDs)."""
    by_volume = collections.defaultdict(dict)
    for volume, date, n in node.rows(f"SELECT storage_volume, date::VARCHAR, count(*) FROM homer_lake.main.{TABLE} "
                                     "GROUP BY ALL ORDER BY ALL"):
        by_volume[volume][date] = n
    total, uuids, calls = node.rows(f"SELECT count(*), count(DISTINCT uuid), count(DISTINCT session_id) "
                                    f"FROM homer_lake.main.{TABLE}")[0]
    return dict(by_volume), total, uuids, calls


def wait_out_of_hot(node, moved, what):
    """Poll until no date of `moved` is left in hot (the policy stats shown on a timeout)."""
    def out_of_hot():
        by_volume = node_view(node)[0]
        return all(d not in by_volume.get("hot", {}) for d in moved), {"volumes": by_volume,
                                                                     "stats": policy_stats(node)}
    poll(what, out_of_hot)


def assert_exactly_once(node, per_date, moved):
    """The node shows every packet once, per date as sent, the moved dates in cold only."""
    by_volume, total, uuids, calls = node_view(node)
    sent = sum(per_date.values())
    assert (total, uuids, calls) == (sent, sent, sent), (
        f"{sent} packets sent (each its own Call-ID); the node shows {total} rows, {uuids} distinct uuids, "
        f"{calls} distinct Call-IDs (a row lost or shown twice); by volume and date: {by_volume}")
    merged = collections.Counter()
    for dates in by_volume.values():
        merged.update(dates)
    assert dict(merged) == per_date, f"rows per date: sent {per_date}, the node shows {by_volume}"
    for date in moved:
        assert by_volume.get("cold", {}).get(date) == per_date[date] and date not in by_volume.get("hot", {}), (
            f"{date} is older than the hot volume's max_data_age_days: all of it belongs in cold; "
            f"by volume: {by_volume}")


class LakeFiles:
    """The volume catalogs read directly (READ_ONLY) with the bundled ducklake extension: what is
    stored, without the merged views' move marks."""

    def __init__(self, hot_catalog, cold_catalog, s3=None, cold_path=None):
        self.con = writer_connection()
        if s3 is not None:
            self.con.execute(s3.secret_sql(cold_path))
        self.con.execute(f"ATTACH 'ducklake:sqlite:{hot_catalog}' AS hot (READ_ONLY)")
        self.con.execute(f"ATTACH 'ducklake:sqlite:{cold_catalog}' AS cold (READ_ONLY)")

    def close(self):
        self.con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def rows(self, sql):
        return self.con.execute(sql).fetchall()

    def per_date(self, volume):
        return {d: n for d, n in self.rows(f"SELECT date::VARCHAR, count(*) FROM {volume}.main.{TABLE} "
                                           "GROUP BY ALL ORDER BY ALL")}

    def marks(self):
        return self.rows(f"SELECT date::VARCHAR, max(row_limit) FROM cold.homer_policy.moved "
                         f"WHERE table_name = '{TABLE}' GROUP BY ALL ORDER BY ALL")

    def stored(self):
        """Rows, distinct uuids, distinct Call-IDs over both volumes, marks ignored."""
        return self.rows(f"SELECT count(*), count(DISTINCT uuid), count(DISTINCT session_id) FROM ("
                         f"SELECT uuid, session_id FROM hot.main.{TABLE} UNION ALL "
                         f"SELECT uuid, session_id FROM cold.main.{TABLE})")[0]

    def visible(self):
        """The same with the hot rows a move mark covers left out (what the merged views read)."""
        return self.rows(
            f"WITH m AS (SELECT date, max(row_limit) AS row_limit FROM cold.homer_policy.moved "
            f"WHERE table_name = '{TABLE}' GROUP BY date), "
            f"v AS (SELECT uuid, session_id FROM hot.main.{TABLE} AS h ANTI JOIN m "
            f"ON h.date = m.date AND h.rowid < m.row_limit UNION ALL SELECT uuid, session_id FROM cold.main.{TABLE}) "
            "SELECT count(*), count(DISTINCT uuid), count(DISTINCT session_id) FROM v")[0]

    def hot_rows_under_marks(self):
        """Hot rows a move mark covers: rows copied to cold whose source delete is still pending."""
        return self.rows(
            f"SELECT count(*) FROM hot.main.{TABLE} AS h JOIN (SELECT date, max(row_limit) AS row_limit "
            f"FROM cold.homer_policy.moved WHERE table_name = '{TABLE}' GROUP BY date) AS m "
            "ON h.date = m.date AND h.rowid < m.row_limit")[0][0]

    def hot_rowids(self, dates):
        if not dates:
            return []
        listed = ", ".join(f"'{d}'::DATE" for d in dates)
        return self.rows(f"SELECT date::VARCHAR, rowid FROM hot.main.{TABLE} WHERE date IN ({listed}) "
                         "ORDER BY ALL LIMIT 20")

    def live_files(self, volume):
        """{date: [file names]} of the files the volume's current snapshot reads."""
        out = collections.defaultdict(list)
        for (path,) in self.rows(f"SELECT data_file FROM ducklake_list_files('{volume}', '{TABLE}')"):
            part = next((p for p in Path(path).parts if p.startswith("date=")), "date=?")
            out[part[len("date="):]].append(Path(path).name)
        return dict(out)


def hot_catalog(config):
    return config["storage"]["ducklake"]["catalog_path"]


def cold_catalog(config):
    """The cold volume's catalog: its catalog_path, by default <hot catalog base>_cold.sqlite."""
    cold = config["storage"]["ducklake"]["storage_policy"]["volumes"][1]
    if cold.get("catalog_path"):
        return cold["catalog_path"]
    base = hot_catalog(config)
    return base[:-len(".sqlite")] + "_cold.sqlite"


def policy(hot_age, cold, compaction=None, **keys):
    return {"storage_policy": {"enable": True, "ttl_move_interval_sec": 10, "move_on_startup": True,
                               "concurrent_moves": 2,
                               "volumes": [{"name": "hot", "type": "local", "priority": 0,
                                            "max_data_age_days": hot_age}, cold], **keys},
            "compaction": compaction or {"enable": False}}


def local_cold(tmp_path):
    return {"name": "cold", "type": "local", "priority": 1, "max_data_age_days": 30,
            "path": str(tmp_path / "lake" / "cold") + "/"}


def prepared_lake(nodes, config, tag):
    """First run: tables and marks created, the packets written, the node stopped gracefully
    before any move can start (35 s after the tables were created). (packets per date)"""
    packets, per_date = day_packets(tag)
    node = nodes.start(config, "first-run")
    send_and_wait(node, packets)
    stats = policy_stats(node)
    assert stats["moves"] == 0 and stats["rewrites"] == 0, f"nothing should have moved yet: {stats}"
    stop_gracefully(node)
    with LakeFiles(hot_catalog(config), cold_catalog(config)) as lake:
        tables = lake.rows("SELECT database_name, schema_name, table_name FROM duckdb_tables() "
                           "WHERE database_name = 'cold'")
        assert ("cold", "main", TABLE) in tables and ("cold", "homer_policy", "moved") in tables, (
            f"the first run should have created the cold table and the marks table; cold holds {tables}")
        # The first run must end before its first move (35 s after startup): the restart is the mover.
        assert lake.marks() == [], f"the first run moved already (a very slow machine?): marks {lake.marks()}"
        assert lake.per_date("hot") == per_date, "after a graceful stop every row is in hot"
    return per_date


# ---------------------------------------------------------------------------------------------
# 1. kill -9 at each step of a move

@pytest.mark.parametrize("step", ["move:written", "move:committed", "move:deleted"])
def test_kill_9_at_each_step_of_a_move_loses_and_duplicates_nothing(tmp_path, nodes, step):
    hot_age = 2
    config = nodes.config(policy(hot_age, local_cold(tmp_path)))
    per_date = prepared_lake(nodes, config, f"move-{step.split(':')[1]}")
    moved = old_dates(per_date, hot_age)
    assert len(moved) == DAYS - hot_age, moved  # the 4 oldest of 6 days

    nodes.crash(config, step, f"crash-{step.replace(':', '-')}")

    # Down: what a reader of the two catalogs would see is every row once (the marks hide the
    # copies that the source still holds).
    with LakeFiles(hot_catalog(config), cold_catalog(config)) as lake:
        visible, stored, marks, under = lake.visible(), lake.stored(), lake.marks(), lake.hot_rows_under_marks()
        cold_at_crash = sum(lake.per_date("cold").values())
    sent = sum(per_date.values())
    moved_rows = sum(per_date[d] for d in moved)
    assert visible == (sent, sent, sent), (
        f"killed at {step}: hot minus the marked rows plus cold hold {visible} (rows, uuids, Call-IDs), "
        f"{sent} sent; stored without marks {stored}; marks {marks}")
    if step == "move:committed":
        assert under > 0, f"killed between the destination commit and the source delete: copies expected, marks {marks}"

    node = nodes.start(config, f"restart-{step.replace(':', '-')}")

    def cycle_done():
        s = policy_stats(node)
        return (s["move_cycles"] >= 1 and s["last_cycle_unix_ms"] > 0
                and (s["moves"] > 0 or s["finished_moves_rows"] > 0)), s
    poll("the restarted node's first move cycle", cycle_done)

    wait_out_of_hot(node, moved, f"dates {moved} out of hot")
    assert_exactly_once(node, per_date, moved)
    stats = policy_stats(node)
    if step == "move:committed":
        assert stats["finished_moves_rows"] > 0, (
            f"the source delete the kill interrupted should be completed by the restart: {stats}")
    assert stats["move_failures"] == 0, f"moves failed after the restart: {stats}; log:\n{tail(node)}"
    # Rows moved before the kill (cold, source deleted) + rows the restart moved or finished = all old rows.
    assert stats["moved_rows"] + stats["finished_moves_rows"] == moved_rows - (cold_at_crash - under), (
        f"{moved_rows} rows of old dates; at the kill cold held {cold_at_crash} of which {under} still in hot; "
        f"the restart reports {stats}")
    stop_gracefully(node)

    with LakeFiles(hot_catalog(config), cold_catalog(config)) as lake:
        assert lake.stored() == (sent, sent, sent), (
            f"both catalogs together, marks ignored: {lake.stored()} (rows, uuids, Call-IDs), {sent} sent; "
            f"hot {lake.per_date('hot')}, cold {lake.per_date('cold')}")
        leftover = lake.hot_rowids(moved)
        assert leftover == [], f"row ids of moved dates still in hot (date, rowid): {leftover}"
        assert lake.hot_rows_under_marks() == 0
        assert lake.per_date("cold") == {d: per_date[d] for d in moved}
        assert lake.per_date("hot") == {d: n for d, n in per_date.items() if d not in moved}
        registered = {name for names in lake.live_files("cold").values() for name in names}
    on_disk = {p.name for p in (tmp_path / "lake" / "cold").rglob("*.parquet")}
    # Files a killed move wrote but never committed: read by nobody, left to delete_orphaned_files.
    print(f"{step}: {len(on_disk - registered)} uncommitted file(s) left in cold: {sorted(on_disk - registered)}")
    assert registered <= on_disk, f"files in the cold catalog missing on disk: {sorted(registered - on_disk)}"


# ---------------------------------------------------------------------------------------------
# 2. kill -9 at each step of a compaction rewrite

@pytest.mark.parametrize("step", ["rewrite:written", "rewrite:committed"])
def test_kill_9_at_each_step_of_a_rewrite(tmp_path, nodes, step):
    hot_age = 3  # 3 dates move; yesterday and the day before stay in hot, closed: rewritten
    compaction = {"enable": True, "check_interval_sec": 10, "min_age_sec": 0}
    config = nodes.config(policy(hot_age, local_cold(tmp_path), compaction={"enable": False}))
    per_date = prepared_lake(nodes, config, f"rewrite-{step.split(':')[1]}")
    moved = old_dates(per_date, hot_age)
    today = utc_today().isoformat()
    closed_hot = sorted(d for d in per_date if d not in moved and d != today)
    assert len(closed_hot) == 2, closed_hot

    config["storage"]["ducklake"]["compaction"] = compaction
    log = nodes.crash(config, step, f"crash-{step.replace(':', '-')}")
    sent = sum(per_date.values())
    with LakeFiles(hot_catalog(config), cold_catalog(config)) as lake:
        visible, stored = lake.visible(), lake.stored()
    assert visible == (sent, sent, sent), (
        f"killed at {step}: the catalogs hold {visible} visible rows (rows, uuids, Call-IDs), {sent} sent; "
        f"stored without marks {stored}; log:\n{log[-3000:]}")

    node = nodes.start(config, f"restart-{step.replace(':', '-')}")

    def rewritten():
        with LakeFiles(hot_catalog(config), cold_catalog(config)) as lake:
            files = lake.live_files("hot")
        done = all(len(files.get(d, [])) == 1 and files[d][0].startswith("homer-") for d in closed_hot)
        return done, {"hot files": files, "stats": policy_stats(node)}
    seen = poll(f"closed hot days {closed_hot} each one homer-*.parquet file", rewritten, every=2)

    wait_out_of_hot(node, moved, f"dates {moved} out of hot")
    assert_exactly_once(node, per_date, moved)
    stats = policy_stats(node)
    assert stats["rewrite_failures"] == 0, f"rewrites failed after the restart: {stats}; log:\n{tail(node)}"
    stop_gracefully(node)

    with LakeFiles(hot_catalog(config), cold_catalog(config)) as lake:
        assert lake.stored() == (sent, sent, sent), (
            f"both catalogs together: {lake.stored()} (rows, uuids, Call-IDs), {sent} sent; "
            f"hot {lake.per_date('hot')}, cold {lake.per_date('cold')}")
        assert lake.per_date("hot") == {d: n for d, n in per_date.items() if d not in moved}
        files = lake.live_files("hot")
    for d in closed_hot:
        assert len(files[d]) == 1 and files[d][0].startswith("homer-"), f"{d}: {files[d]} (was {seen})"
        on_disk = sorted(p.name for p in (tmp_path / "lake" / "data" / "main" / TABLE / f"date={d}").glob("*.parquet"))
        assert files[d][0] in on_disk, f"{d}: the catalog's file {files[d][0]} is not on disk: {on_disk}"
        # The replaced writer file stays until snapshots expire; a killed rewrite's file until
        # delete_orphaned_files.
        print(f"{step}: {d} on disk: {on_disk}, read: {files[d]}")


# ---------------------------------------------------------------------------------------------
# 3. S3 unreachable during moves

@pytest.fixture
def s3(tmp_path):
    from s3_server import S3Server
    server = S3Server(tmp_path)
    yield server
    server.stop()


def test_s3_unreachable_during_moves_retries_and_deletes_nothing(tmp_path, nodes, s3):
    hot_age = 2
    bucket = "cold-moves"
    s3.create_bucket(bucket)
    cold = s3.volume(tmp_path / "lake", "cold", bucket, priority=1, max_data_age_days=30)
    config = nodes.config(policy(hot_age, cold))
    per_date = prepared_lake(nodes, config, "s3")
    moved = old_dates(per_date, hot_age)
    sent = sum(per_date.values())

    s3.proxy.down()
    node = nodes.start(config, "s3-down")

    def cycle_failed(after_ms):
        def check():
            s = policy_stats(node)
            return s["last_cycle_unix_ms"] > after_ms and s["last_error"] != "", s
        return check
    stats = poll("a move cycle failing with S3 cut", cycle_failed(0))
    assert stats["moves"] == 0, f"a move cannot succeed without S3: {stats}"
    assert stats["move_failures"] >= len(moved), f"each of the {len(moved)} moves should have failed: {stats}"
    error = stats["last_error"]
    assert "move of " + TABLE in error and "to cold" in error, f"last_error should name the move: {error!r}"
    print("last_error with S3 down:", error)

    # Hot still holds every row; queries that need hot only answer; nothing is shown twice.
    hot = node.rows(f"SELECT count(*), count(DISTINCT uuid) FROM homer_lake.main.{TABLE} WHERE storage_volume = 'hot'")
    assert hot == [[sent, sent]], f"hot should still hold all {sent} rows while S3 is down: {hot}"
    hot_dates = dict(node.rows(f"SELECT date::VARCHAR, count(*) FROM homer_lake.main.{TABLE} "
                               "WHERE storage_volume = 'hot' GROUP BY ALL"))
    assert hot_dates == per_date, f"hot per date while S3 is down: {hot_dates}, sent {per_date}"
    recent = node.rows(f"SELECT count(*) FROM homer_lake.main.{TABLE} WHERE storage_volume = 'hot' "
                       f"AND session_id LIKE 's3-{utc_today()}-%'")
    assert recent == [[per_date[utc_today().isoformat()]]], recent
    total = node.rows(f"SELECT count(*), count(DISTINCT uuid) FROM homer_lake.main.{TABLE}")
    assert total == [[sent, sent]], f"rows duplicated or lost while S3 is down: {total}"
    # A second failing cycle retries, and still deletes nothing.
    failures = stats["move_failures"]
    stats = poll("a second failing cycle", cycle_failed(stats["last_cycle_unix_ms"]))
    assert stats["moves"] == 0 and stats["move_failures"] >= failures + len(moved), (
        f"the next cycle should try every move again, and fail: {stats}")
    hot = node.rows(f"SELECT count(*) FROM homer_lake.main.{TABLE} WHERE storage_volume = 'hot'")
    assert hot == [[sent]], f"after {stats['move_cycles']} failing cycles hot should hold {sent}: {hot}"

    s3.proxy.up()

    wait_out_of_hot(node, moved, f"dates {moved} moved to S3 once it is back")
    assert_exactly_once(node, per_date, moved)
    stats = policy_stats(node)
    assert stats["moves"] == len(moved), f"one move per old date: {stats}"
    stop_gracefully(node)

    with LakeFiles(hot_catalog(config), cold_catalog(config), s3=s3, cold_path=cold["path"]) as lake:
        assert lake.stored() == (sent, sent, sent), (
            f"both catalogs together: {lake.stored()} (rows, uuids, Call-IDs), {sent} sent")
        assert lake.per_date("cold") == {d: per_date[d] for d in moved}
        assert lake.hot_rowids(moved) == []
    keys = [o["Key"] for o in s3.client().list_objects_v2(Bucket=bucket).get("Contents", [])]
    for d in moved:
        assert any(f"date={d}/" in k for k in keys), f"no object of {d} in s3://{bucket}: {keys}"
    print("objects in the bucket:", len(keys), "for", len(moved), "moved dates")


# ---------------------------------------------------------------------------------------------
# 4. vacuum and the policy exclude each other

def test_vacuum_and_policy_never_run_at_once(tmp_path, nodes):
    hot_age = 2
    config = nodes.config(policy(hot_age, local_cold(tmp_path)))
    per_date = prepared_lake(nodes, config, "lock")
    moved = old_dates(per_date, hot_age)
    sent = sum(per_date.values())
    catalog = hot_catalog(config)

    holder = os.open(catalog + ".maintenance.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        node = nodes.start(config, "locked")
        r = node.post("/api/v4/node/vacuum", {"expire_older_than": "7 days"})
        assert r.status_code == 409, f"vacuum while the maintenance lock is held: {r.status_code} {r.text}"
        assert catalog in r.text, f"the 409 should name the busy catalog {catalog}: {r.text}"

        def skipped():
            s = policy_stats(node)
            return s["busy_skips"] > 0 and s["move_cycles"] >= 2 and s["last_error"] != "", s
        stats = poll("two move cycles skipped for the held lock", skipped)
        assert stats["moves"] == 0 and stats["finished_moves_rows"] == 0, f"moved while locked: {stats}"
        assert "maintenance is running on " + catalog in stats["last_error"], stats
        by_volume, total, uuids, _ = node_view(node)
        assert by_volume == {"hot": per_date} and total == uuids == sent, (
            f"nothing may move while the lock is held: {by_volume}")
    finally:
        os.close(holder)  # drops the flock

    # Released: the vacuum runs (a 409 only while a policy cycle holds the lock), moves proceed.
    def vacuumed():
        r = node.post("/api/v4/node/vacuum", {"expire_older_than": "7 days"})
        assert r.status_code in (200, 409), f"vacuum: {r.status_code} {r.text}"
        return r.status_code == 200, r.text
    body = json.loads(poll("vacuum once the lock is free", vacuumed, every=1))
    assert body["success"] is True, body

    wait_out_of_hot(node, moved, f"dates {moved} moved once the lock is free")
    assert_exactly_once(node, per_date, moved)
    stop_gracefully(node)
    with LakeFiles(catalog, cold_catalog(config)) as lake:
        assert lake.stored() == (sent, sent, sent), lake.stored()
