"""The real DuckDB Airport client (Query.farm's extension, built by bootstrap) attached to a real
node on a real two-volume lake with a token, as the README shows. Every answer is checked
against the same SQL through the node's HTTP API (or the lake read in-process)."""
import re
import time

import duckdb
import pytest

from airport_duckdb import airport_connection, attach
from conftest import sampled_peak, start_node
from test_flight_types import TYPE_COLUMNS, write_type_table

LAKE = "homer_lake"
CALLS = "hep_proto_1_call"
CALL_COLUMNS = ["uuid", "date", "timestamp", "session_id", "src_port", "method", "data_extra", "storage_volume",
                "storage_lake"]
# Every volume holds generated calls besides the fixture's few rows: filters have rows to drop.
GENERATED = ("INSERT INTO w.hep_proto_1_call SELECT '{v}' || i, DATE '{day}', TIMESTAMP '{day}' + INTERVAL (i) SECOND, "
             "'s' || (i % 97), 5000 + i % 200, ['INVITE', 'ACK', 'BYE', '200', NULL][1 + i % 5], "
             "CASE WHEN i % 3 = 0 THEN NULL ELSE '{{\"n\": ' || i || '}}' END FROM range({n}) t(i)")


def http_sql(sql):
    """The Airport query as the node's own SQL: homer.<schema>.<table> is <schema>.main.<table>."""
    return re.sub(r"\bhomer\.(\w+)\.(\w+)", r"\1.main.\2", sql)


def same_as_http(con, node, sql):
    """The Airport answer equals the node's HTTP answer, every value as DuckDB's text."""
    as_text = "SELECT COLUMNS(*)::VARCHAR FROM ({})"
    got = [list(row) for row in con.execute(as_text.format(sql)).fetchall()]
    assert got == node.rows(as_text.format(http_sql(sql))), sql
    return got


@pytest.fixture
def lake_node(hot_cold, node_factory):
    """hot_cold plus 20,000 generated calls per volume and all_types in the hot volume."""
    for vol, day in zip(hot_cold.volumes, ("2026-11-27", "2026-10-01")):
        w = hot_cold.writer(vol)
        w.execute(GENERATED.format(v=vol["name"], day=day, n=20_000))
        w.close()
    write_type_table(hot_cold, hot_cold.volumes[0])
    return hot_cold, node_factory(hot_cold.volumes)


@pytest.fixture
def homer(lake_node):
    """A DuckDB connection with the node attached as `homer`."""
    _, node = lake_node
    con = attach(airport_connection(), node.port, node.token)
    yield con
    con.close()


def test_show_all_tables_and_describe(lake_node, homer):
    _, node = lake_node
    tables = homer.execute("SELECT schema, name, column_names FROM (SHOW ALL TABLES) WHERE database = 'homer' "
                           "ORDER BY ALL").fetchall()
    assert [(s, n) for s, n, _ in tables] == [
        (LAKE, "all_types"), (LAKE, "hep_proto_100_default"), (LAKE, CALLS),
        (f"{LAKE}_cold", "hep_proto_100_default"), (f"{LAKE}_cold", CALLS),
        (f"{LAKE}_hot", "all_types"), (f"{LAKE}_hot", CALLS)]
    described = homer.execute(f"DESCRIBE homer.{LAKE}.{CALLS}").fetchall()
    # The names and DuckDB types of the node's own view.
    want = node.rows(f"SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = '{LAKE}' "
                     f"AND table_name = '{CALLS}' ORDER BY column_index")
    assert [[name, kind] for name, kind, *_ in described] == want
    assert [name for name, *_ in described] == CALL_COLUMNS


def test_counts_and_checksums_match_http_on_the_lake_and_each_volume(lake_node, homer):
    _, node = lake_node
    for schema in (LAKE, f"{LAKE}_hot", f"{LAKE}_cold"):
        rows = same_as_http(homer, node, (
            "SELECT count(*), count(data_extra), sum(src_port), min(timestamp), max(timestamp), "
            "bit_xor(hash(uuid, date, timestamp, session_id, src_port, method, data_extra::VARCHAR)) "
            f"FROM homer.{schema}.{CALLS}"))
        assert int(rows[0][0]) > 20_000
    same_as_http(homer, node, f"SELECT storage_volume, count(*), sum(src_port) FROM homer.{LAKE}.{CALLS} "
                              "GROUP BY ALL ORDER BY ALL")
    same_as_http(homer, node, f"SELECT method, count(*) FROM homer.{LAKE}.{CALLS} GROUP BY ALL ORDER BY ALL")


def scan_plan(con, sql):
    """(columns the Airport scan asks for, rows it produced) from EXPLAIN and EXPLAIN ANALYZE.
    DuckDB filters again above the scan, so the scan's own row count is what the node sent."""
    plan = con.execute(f"EXPLAIN {sql}").fetchall()[0][1]
    box = [line.strip("│ ") for line in plan[plan.index("AIRPORT_TAKE_FLIGHT"):].splitlines()]
    start = box.index("Projections:") + 1
    columns = box[start:box.index("", start)]
    analyzed = con.execute(f"EXPLAIN ANALYZE {sql}").fetchall()[0][1]
    scan = analyzed[analyzed.rindex("TABLE_SCAN"):]
    return columns, int(re.search(r"([\d,]+) [Rr]ows", scan).group(1).replace(",", ""))


@pytest.mark.parametrize("where", [
    "method = 'INVITE'", "method <> 'INVITE'", "src_port < 5010", "src_port <= 5010", "src_port > 5190",
    "src_port >= 5190", "method IN ('BYE', 'ACK')", "src_port BETWEEN 5100 AND 5102", "method IS NULL",
    "data_extra IS NOT NULL AND src_port = 5001", "src_port = 5001 OR method = 'CANCEL'",
    "timestamp >= TIMESTAMP '2026-11-27 05:00:00' AND storage_volume = 'hot'",
])
def test_projections_and_filters_are_pushed_down(lake_node, homer, where):
    _, node = lake_node
    sql = f"SELECT uuid, src_port FROM homer.{LAKE}.{CALLS} WHERE {where}"
    want = node.rows(f"SELECT count(*) FROM {LAKE}.main.{CALLS} WHERE {where}")[0][0]
    total = node.rows(f"SELECT count(*) FROM {LAKE}.main.{CALLS}")[0][0]
    columns, sent = scan_plan(homer, sql)
    assert sent == want < total, where
    # Only the selected and filtered columns are asked for.
    filtered = {c for c in re.findall(r"[a-z_]+", where) if c in CALL_COLUMNS}
    assert set(columns) == {"uuid", "src_port"} | filtered, (where, columns)
    same_as_http(homer, node, sql + " ORDER BY uuid")


def test_every_column_type_reads_back_through_duckdb(lake_node, homer):
    hot_cold, _ = lake_node
    hot = hot_cold.volumes[0]
    homer.execute(f"ATTACH 'ducklake:sqlite:{hot['catalog_path']}' AS lake_hot (DATA_PATH '{hot['path']}', READ_ONLY)")
    remote = dict(homer.execute(f"SELECT column_name, column_type FROM (DESCRIBE homer.{LAKE}_hot.all_types)").fetchall())
    for name, sql_type, _ in TYPE_COLUMNS:
        # HUGEINT and UHUGEINT travel as decimal128(38, 0): the same digits.
        want_type = "DECIMAL(38,0)" if sql_type in ("HUGEINT", "UHUGEINT") else sql_type
        local_type = homer.execute(f"SELECT typeof({name}) FROM lake_hot.main.all_types LIMIT 1").fetchone()[0]
        assert remote[name] == (local_type if want_type == sql_type else want_type), name
        got, want = (homer.execute(f"SELECT list({name}::VARCHAR ORDER BY i NULLS LAST) FROM {t}").fetchone()[0]
                     for t in (f"homer.{LAKE}_hot.all_types", "lake_hot.main.all_types"))
        assert got == want, name


def test_joins_across_schemas(lake_node, homer):
    _, node = lake_node
    same_as_http(homer, node, (
        f"SELECT h.method, count(*), count(DISTINCT c.uuid) FROM homer.{LAKE}_hot.{CALLS} h "
        f"JOIN homer.{LAKE}_cold.{CALLS} c ON h.method = c.method AND h.src_port = c.src_port "
        "WHERE h.src_port < 5005 GROUP BY ALL ORDER BY ALL"))
    same_as_http(homer, node, (
        f"SELECT l.payload, count(*) FROM homer.{LAKE}.hep_proto_100_default l "
        f"JOIN homer.{LAKE}.{CALLS} c ON c.timestamp < l.timestamp GROUP BY ALL"))


def last_snapshot(writer):
    return writer.execute("SELECT snapshot_id, CAST(snapshot_time AS VARCHAR) FROM w.snapshots() "
                          "ORDER BY snapshot_id DESC LIMIT 1").fetchone()


def test_time_travel_as_the_readme_shows(lake_node, homer):
    hot_cold, node = lake_node
    hot = hot_cold.volumes[0]
    w = hot_cold.writer(hot)
    version, at = last_snapshot(w)
    count_then = homer.execute(f"SELECT count(*) FROM homer.{LAKE}_hot.{CALLS}").fetchone()[0]
    time.sleep(0.05)
    w.execute("INSERT INTO w.hep_proto_1_call (uuid, src_port) VALUES ('later', 1)")
    w.close()
    deadline = time.time() + 15
    while homer.execute(f"SELECT count(*) FROM homer.{LAKE}_hot.{CALLS}").fetchone()[0] == count_then:
        assert time.time() < deadline, "the new row never showed"
        time.sleep(0.2)
    ts = f"AT (TIMESTAMP => TIMESTAMPTZ '{at}')"
    for clause in (f"AT (VERSION => {version})", ts):
        got = same_as_http(homer, node, f"SELECT count(*), count(*) FILTER (uuid = 'later'), "
                                        f"bit_xor(hash(uuid, timestamp)) FROM homer.{LAKE}_hot.{CALLS} {clause}")
        assert got[0][:2] == [str(count_then), "0"], clause
    # The merged lake at a time: each volume as it was then.
    got = homer.execute(f"SELECT storage_volume, count(*) FROM homer.{LAKE}.{CALLS} {ts} GROUP BY ALL ORDER BY ALL")
    want = [(v, node.rows(f"SELECT count(*) FROM {LAKE}_{v}.main.{CALLS} {ts}")[0][0]) for v in ("cold", "hot")]
    assert got.fetchall() == want and want[1][1] == count_then
    # A version number belongs to one volume: refused on the merged lake, saying so.
    with pytest.raises(duckdb.Error, match="VERSION => n"):
        homer.execute(f"SELECT count(*) FROM homer.{LAKE}.{CALLS} AT (VERSION => {version})").fetchall()


def test_table_and_column_added_while_attached(lake_node, homer):
    """The client reads the catalog once per ATTACH (it never asks catalog_version again): what a
    writer adds shows after DETACH + ATTACH, and meanwhile the attached columns stay right."""
    hot_cold, node = lake_node
    version = node.get("/api/v4/node/stats").json()["catalog_version"]
    by_volume = f"SELECT storage_volume, count(*) FROM homer.{LAKE}.{CALLS} GROUP BY ALL ORDER BY ALL"
    before = homer.execute(by_volume).fetchall()
    w = hot_cold.writer(hot_cold.volumes[1])
    w.execute("CREATE TABLE w.hep_proto_5_new (uuid VARCHAR, n INTEGER)")
    w.execute("INSERT INTO w.hep_proto_5_new VALUES ('x', 1)")
    w.execute("ALTER TABLE w.hep_proto_1_call ADD COLUMN rtp_port INTEGER")
    w.execute("UPDATE w.hep_proto_1_call SET rtp_port = 7 WHERE uuid = 'c1'")
    w.close()
    deadline = time.time() + 20
    while node.get("/api/v4/node/stats").json()["catalog_version"] == version:
        assert time.time() < deadline, "the node never saw the new table"
        time.sleep(0.2)
    # The merged view gained a column before storage_volume: the attached client still gets its own.
    assert homer.execute(by_volume).fetchall() == before
    star = homer.execute(f"SELECT * FROM homer.{LAKE}.{CALLS} WHERE uuid IN ('c1', 'h1') ORDER BY uuid")
    assert [d[0] for d in star.description] == CALL_COLUMNS
    same_as_http(homer, node, f"SELECT {', '.join(CALL_COLUMNS)} FROM homer.{LAKE}.{CALLS} "
                              "WHERE uuid IN ('c1', 'h1') ORDER BY uuid")
    homer.execute("DETACH homer")
    attach(homer, node.port, node.token)
    assert homer.execute(f"SELECT uuid, n, storage_volume FROM homer.{LAKE}.hep_proto_5_new").fetchall() == [
        ("x", 1, "cold")]
    assert homer.execute(f"SELECT uuid FROM homer.{LAKE}.{CALLS} WHERE rtp_port = 7").fetchall() == [("c1",)]
    assert homer.execute(f"SELECT count(rtp_port) FROM homer.{LAKE}_cold.{CALLS}").fetchone() == (1,)


def test_large_scan_is_read_in_parallel_endpoints(hot_cold, node_factory):
    hot = hot_cold.volumes[0]
    w = hot_cold.writer(hot)
    n = 2_300_000
    w.execute(f"CREATE TABLE w.big AS SELECT i AS id, TIMESTAMP '2026-01-01' + INTERVAL (i) SECOND AS timestamp, "
              f"'row ' || i AS label FROM range({n}) t(i)")
    w.close()
    node = node_factory(hot_cold.volumes)
    con = attach(airport_connection(), node.port, node.token)
    # The node splits the scan into endpoints (one query each); DuckDB reads them at once.
    with sampled_peak(node.queries_running) as peak:
        got = con.execute(f"SELECT count(*), count(DISTINCT id), sum(id), max(length(label)) "
                          f"FROM homer.{LAKE}.big").fetchone()
    assert got == (n, n, n * (n - 1) // 2, len(f"row {n - 1}"))
    assert peak[0] >= 2, peak


def test_wrong_or_missing_token_is_refused(lake_node):
    _, node = lake_node
    for token in (None, "wrong-token"):
        con = airport_connection()
        with pytest.raises(duckdb.Error) as refused:
            attach(con, node.port, token)
            con.execute(f"SELECT count(*) FROM homer.{LAKE}.{CALLS}").fetchall()
        assert "missing or wrong bearer token" in str(refused.value), str(refused.value)
        assert "Unauthenticated" in str(refused.value), str(refused.value)
        con.close()


def test_node_restarted_while_attached(lake_node, homer, tmp_path):
    hot_cold, node = lake_node
    sql = f"SELECT count(*), sum(src_port) FROM homer.{LAKE}.{CALLS}"
    before = homer.execute(sql).fetchone()
    node.stop()
    with pytest.raises(duckdb.Error):
        homer.execute(sql).fetchone()
    restarted = start_node(tmp_path, hot_cold.volumes, token=node.token, port=node.port)
    try:
        # The same attachment, no ATTACH again: back once gRPC's reconnect backoff has passed.
        deadline = time.time() + 30
        while True:
            try:
                assert homer.execute(sql).fetchone() == before
                break
            except duckdb.IOException:
                assert time.time() < deadline, "the attachment never recovered"
                time.sleep(0.5)
    finally:
        restarted.stop()
