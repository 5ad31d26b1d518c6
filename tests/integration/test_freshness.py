"""An external writer (Python duckdb + ducklake) commits while the node serves."""
import threading
import time

from conftest import memory_growth_bound


def wait_for(fn, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(0.2)
    return fn()


def test_rows_and_tables_appear_within_the_refresh_interval(hot_cold, node_factory):
    node = node_factory(hot_cold.volumes, refresh=1)
    version = node.get("/api/v4/node/stats").json()["catalog_version"]
    w = hot_cold.writer(hot_cold.volumes[1])
    w.execute("INSERT INTO w.hep_proto_1_call (uuid, date, timestamp) VALUES ('c3', '2026-11-02', '2026-11-02')")
    w.execute("CREATE TABLE w.hep_proto_5_default (uuid VARCHAR, timestamp TIMESTAMP, payload VARCHAR)")
    w.execute("INSERT INTO w.hep_proto_5_default VALUES ('r1', '2026-11-02 01:00:00', 'rtcp')")
    w.close()
    # Rows of a known table: visible without a refresh, once the node's copy of the catalog
    # caught up (node.ducklake.mirror_interval_ms, 100 ms).
    assert wait_for(lambda: node.rows("SELECT count(*) FROM homer_lake.main.hep_proto_1_call") == [[6]], timeout=2)
    # A new table: within the refresh interval, in the merged lake.
    assert wait_for(lambda: node.post("/api/v4/node/query",
                                      {"sql": "SELECT uuid FROM homer_lake.main.hep_proto_5_default"}).status_code == 200,
                    timeout=5)
    assert node.rows("SELECT uuid, storage_volume FROM homer_lake.main.hep_proto_5_default") == [["r1", "cold"]]
    assert node.get("/api/v4/node/stats").json()["catalog_version"] > version


def test_no_failed_query_and_no_memory_growth_across_refreshes(hot_cold, node_factory):
    node = node_factory(hot_cold.volumes, refresh=1)
    failures = []
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            r = node.post("/api/v4/node/query", {"sql": "SELECT count(*) FROM homer_lake.main.hep_proto_1_call"})
            if r.status_code != 200:
                failures.append(r.text)

    threads = [threading.Thread(target=reader, daemon=True) for _ in range(3)]
    for t in threads:
        t.start()
    w = hot_cold.writer(hot_cold.volumes[0])
    time.sleep(1)
    rss_start = node.rss_bytes()
    # Each round changes the catalog (a new column), so every refresh rebuilds the views.
    for i in range(12):
        w.execute(f"CREATE TABLE w.t{i} (v INTEGER)")
        w.execute(f"INSERT INTO w.t{i} VALUES ({i})")
        w.execute(f"ALTER TABLE w.hep_proto_1_call ADD COLUMN extra{i} VARCHAR")
        time.sleep(1.1)
    time.sleep(1.5)
    rss_end = node.rss_bytes()
    stop.set()
    for t in threads:
        t.join()
    w.close()
    assert not failures, failures[:3]
    assert node.rows("SELECT v FROM homer_lake.main.t11") == [[11]]
    cols = node.query("SELECT * FROM homer_lake.main.hep_proto_1_call LIMIT 1")["columns"]
    assert "extra11" in cols
    # Refreshes must not accumulate memory (views replaced, not piled up).
    bound = memory_growth_bound(64 * 1024 * 1024, varied_work=True)
    assert bound is None or rss_end - rss_start < bound, (rss_start, rss_end)


def test_flight_sql_metadata_and_queries_follow_the_writer(hot_cold, node_factory):
    """Through Flight SQL (ADBC): a new table and a new column show in GetTables within the
    refresh interval, new rows in queries, and no query fails while the catalog is rebuilt."""
    node = node_factory(hot_cold.volumes, refresh=1, flightsql={})
    connect = node.adbc

    def lake_tables(conn):
        objects = conn.adbc_get_objects(depth="columns", catalog_filter="homer_lake").read_all().to_pylist()
        tables = objects[0]["catalog_db_schemas"][0]["db_schema_tables"]
        return {t["table_name"]: [c["column_name"] for c in t["table_columns"]] for t in tables}

    failures = []
    stop = threading.Event()

    def reader():
        with connect() as conn, conn.cursor() as cur:
            while not stop.is_set():
                try:
                    cur.execute("SELECT count(*) FROM homer_lake.main.hep_proto_1_call")
                    cur.fetchall()
                except Exception as e:  # every failure is collected and reported
                    failures.append(str(e))

    threads = [threading.Thread(target=reader, daemon=True) for _ in range(2)]
    for t in threads:
        t.start()
    try:  # the readers are stopped also when an assertion fails (they would keep pytest alive)
        with connect() as conn:
            assert "hep_proto_7_default" not in lake_tables(conn)
            w = hot_cold.writer(hot_cold.volumes[1])
            w.execute("CREATE TABLE w.hep_proto_7_default (uuid VARCHAR, timestamp TIMESTAMP)")
            w.execute("INSERT INTO w.hep_proto_7_default VALUES ('n1', '2026-11-02 01:00:00')")
            w.execute("ALTER TABLE w.hep_proto_1_call ADD COLUMN late VARCHAR")
            w.execute("INSERT INTO w.hep_proto_1_call (uuid, date, timestamp, late) "
                      "VALUES ('c9', '2026-11-02', '2026-11-02', 'x')")
            w.close()
            # The writer committed three times: a refresh may fall between them, so wait for all three.
            tables = wait_for(lambda: (lambda t: t if "hep_proto_7_default" in t and "late" in t["hep_proto_1_call"]
                                       else None)(lake_tables(conn)), 5)
            assert tables["hep_proto_7_default"] == ["uuid", "timestamp", "storage_volume", "storage_lake"]
            assert "late" in tables["hep_proto_1_call"]
            with conn.cursor() as cur:
                cur.execute("SELECT uuid, storage_volume FROM homer_lake.main.hep_proto_7_default")
                assert cur.fetchall() == [("n1", "cold")]
                cur.execute("SELECT uuid FROM homer_lake.main.hep_proto_1_call WHERE late = 'x'")
                assert cur.fetchall() == [("c9",)]
        time.sleep(1.5)  # at least one more refresh with the readers running
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not failures, failures[:3]
