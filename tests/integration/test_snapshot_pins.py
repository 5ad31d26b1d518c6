"""Snapshot-pinned tickets: every endpoint of one scan, and a Flight SQL statement's ticket, read
the lake as GetFlightInfo saw it, while a writer commits and on whichever node redeems them."""
import time

import pyarrow as pa
import pyarrow.flight as flight
import pytest

from capture import hep3, sip_request, start_capture_node
from test_flightsql import statement_query

ROWS = 4_200_000  # a scan splits into 4 endpoints from 4 x 2^20 rows
TOTALS = "SELECT count(*), sum(v) FROM homer_lake.main.t"


def client(node, port=None):
    return flight.FlightClient(f"grpc://127.0.0.1:{port or node.port}")


def options(node):
    return flight.FlightCallOptions(headers=[(b"authorization", f"Bearer {node.token}".encode())])


def redeem(node, info, port=None):
    c = client(node, port)
    return pa.concat_tables(c.do_get(e.ticket, options(node)).read_all() for e in info.endpoints)


def totals(node):
    return tuple(node.rows(TOTALS)[0])


def wait_for(node, expected, seconds=10):
    deadline = time.time() + seconds
    while totals(node) != expected and time.time() < deadline:
        time.sleep(0.1)
    assert totals(node) == expected


@pytest.fixture
def big_lake(lake):
    """hot: ROWS rows one second apart; cold: 10 older rows."""
    hot, cold = lake.volume("hot"), lake.volume("cold")
    for vol, sql in ((hot, f"SELECT make_timestamp(i * 1000000), i FROM range({ROWS}) t(i)"),
                     (cold, "SELECT make_timestamp(-1000000 - i * 1000000), 1 FROM range(10) t(i)")):
        w = lake.writer(vol)
        w.execute("CREATE TABLE w.t (ts TIMESTAMP, v BIGINT)")
        w.execute(f"INSERT INTO w.t {sql}")
        w.close()
    return lake


def change(lake):
    """One commit that deletes and inserts rows in every endpoint's time range."""
    w = lake.writer(lake.volumes[0])
    w.execute("BEGIN")
    w.execute("DELETE FROM w.t WHERE v % 3 = 0")
    w.execute(f"INSERT INTO w.t SELECT make_timestamp(i * 1000000), 7 FROM range(0, {ROWS}, 1000) t(i)")
    w.execute("COMMIT")
    w.close()


def test_endpoints_and_statement_tickets_read_the_snapshot_they_were_issued_for(big_lake, node_factory):
    node = node_factory(big_lake.volumes, flightsql={})
    before = totals(node)
    scan = client(node).get_flight_info(flight.FlightDescriptor.for_path("homer_lake", "main", "t"), options(node))
    assert len(scan.endpoints) == 4
    sql = client(node).get_flight_info(flight.FlightDescriptor.for_command(TOTALS.encode()), options(node))
    fsql = client(node, node.flightsql_port).get_flight_info(
        flight.FlightDescriptor.for_command(statement_query(TOTALS)), options(node))

    change(big_lake)
    after = (before[0] - ROWS // 3 + ROWS // 1000, before[1] - sum(range(0, ROWS, 3)) + 7 * (ROWS // 1000))
    wait_for(node, after)  # the node reads the commit...

    # ...and every ticket issued before it still reads the lake as it was.
    table = redeem(node, scan)
    assert (table.num_rows, pa.compute.sum(table.column("v")).as_py()) == before
    assert tuple(redeem(node, sql).to_pylist()[0].values()) == before
    assert tuple(redeem(node, fsql, node.flightsql_port).to_pylist()[0].values()) == before
    # A new FlightInfo reads the new snapshot, on every surface.
    scan = client(node).get_flight_info(flight.FlightDescriptor.for_path("homer_lake", "main", "t"), options(node))
    table = redeem(node, scan)
    assert (table.num_rows, pa.compute.sum(table.column("v")).as_py()) == after
    metrics = node.get("/metrics").text
    assert 'homer_pinned_queries_total{outcome="pinned"}' in metrics
    assert 'homer_pinned_queries_total{outcome="unpinned"}' not in metrics


def test_a_node_behind_catches_up_to_the_pinned_snapshot(big_lake, node_factory):
    ahead = node_factory(big_lake.volumes)
    # No refresh and no copy for minutes: this node's copy stays where it started.
    behind = node_factory(big_lake.volumes, refresh=3600, mirror_interval_ms=60000)
    start = totals(behind)
    change(big_lake)
    after = (start[0] - ROWS // 3 + ROWS // 1000, start[1] - sum(range(0, ROWS, 3)) + 7 * (ROWS // 1000))
    wait_for(ahead, after)
    assert totals(behind) == start
    info = client(ahead).get_flight_info(flight.FlightDescriptor.for_command(TOTALS.encode()), options(ahead))
    assert tuple(redeem(behind, info).to_pylist()[0].values()) == after


def test_an_expired_snapshot_is_a_clear_error(big_lake, node_factory):
    node = node_factory(big_lake.volumes)
    info = client(node).get_flight_info(flight.FlightDescriptor.for_command(TOTALS.encode()), options(node))
    change(big_lake)
    w = big_lake.writer(big_lake.volumes[0])
    w.execute("CALL ducklake_expire_snapshots('w', older_than => now())")
    w.close()
    deadline = time.time() + 10
    while True:  # until the node's copy of the catalog has the expiry too
        try:
            redeem(node, info)
        except pa.ArrowException as e:
            assert "no longer kept" in str(e) and "GetFlightInfo again" in str(e)
            break
        assert time.time() < deadline, "the expired snapshot was still read"
        time.sleep(0.2)


def test_an_all_in_one_ticket_keeps_the_buffered_rows_it_saw_across_a_flush(tmp_path):
    node = start_capture_node(tmp_path, storage={"flush_interval_sec": 1}, flightsql=True)
    try:
        count = "SELECT count(*) FROM homer_lake.main.hep_proto_1_call"

        def send(first, n):
            node.send_tcp([hep3(sip_request("INVITE", f"pin{i}@test")) for i in range(first, first + n)])

        send(0, 50)
        assert node.wait_for(count, 50) == 50
        send(50, 20)  # in the buffer when the tickets are issued
        assert node.wait_for(count, 70) == 70
        info = client(node).get_flight_info(flight.FlightDescriptor.for_command(count.encode()), options(node))
        fsql = client(node, node.flightsql_port).get_flight_info(
            flight.FlightDescriptor.for_command(statement_query(count)), options(node))
        send(70, 30)
        assert node.wait_for(count, 100) == 100
        deadline = time.time() + 10  # flushes move every buffered row to the lake
        while node.capture()["writer"]["flushed_rows"] < 100 and time.time() < deadline:
            time.sleep(0.1)
        assert node.capture()["writer"]["flushed_rows"] == 100
        assert redeem(node, info).to_pylist() == [{"count_star()": 70}]
        assert redeem(node, fsql, node.flightsql_port).column(0).to_pylist() == [70]
    finally:
        node.stop()


def test_a_pinned_statement_keeps_its_column_names(big_lake, node_factory):
    """DuckDB names an unaliased column after its expression's text: a scalar subquery over a
    rewritten table must still be named as the client wrote it (ADBC compares the FlightInfo's
    schema with the stream's)."""
    node = node_factory(big_lake.volumes, flightsql={})
    sql = "SELECT (SELECT count(*) FROM homer_lake.main.t) , 1 AS one"
    fsql = client(node, node.flightsql_port).get_flight_info(
        flight.FlightDescriptor.for_command(statement_query(sql)), options(node))
    table = redeem(node, fsql, node.flightsql_port)
    assert table.schema.names == fsql.schema.names
    assert table.to_pylist() == [{fsql.schema.names[0]: ROWS + 10, "one": 1}]
    with node.adbc() as conn, conn.cursor() as cur:
        cur.execute(sql)
        assert cur.fetchall() == [(ROWS + 10, 1)]
