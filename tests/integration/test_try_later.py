""""Too many queries, try later" is retryable on every surface: with every query slot taken for
the whole wait, HTTP answers 503 with Retry-After, Flight and Flight SQL UNAVAILABLE (which
clients retry, unlike INVALID_ARGUMENT); once the slot is free, the same requests succeed."""
import threading
import time

import adbc_driver_manager
import pyarrow.flight as flight
import pytest

from test_flightsql import raw, statement_query

SLOW = "SELECT count(*) FROM range(1000000000000) a"
QUICK = "SELECT count(*) AS n FROM homer_lake.main.hep_proto_1_call WHERE uuid IS NOT NULL"


@pytest.fixture
def busy_node(hot_cold, node_factory):
    """One query slot, a 1 s wait for it."""
    return node_factory(hot_cold.volumes, flightsql={}, max_concurrent_queries=1, query_wait_sec=1,
                        query_timeout_sec=60)


def hold_the_slot(node, seconds):
    """Run SLOW through Flight until the client's deadline passes (which stops it in DuckDB)."""
    client = flight.FlightClient(f"grpc://127.0.0.1:{node.port}")
    headers = [(b"authorization", f"Bearer {node.token}".encode())]
    ticket = client.get_flight_info(flight.FlightDescriptor.for_command(SLOW.encode()),
                                    flight.FlightCallOptions(headers=headers)).endpoints[0].ticket
    started = threading.Event()

    def run():
        started.set()
        with pytest.raises(flight.FlightTimedOutError):
            client.do_get(ticket, flight.FlightCallOptions(headers=headers, timeout=seconds)).read_all()

    thread = threading.Thread(target=run)
    thread.start()
    started.wait()
    deadline = time.time() + 10
    while node.queries_running() == 0 and time.time() < deadline:
        time.sleep(0.05)
    assert node.queries_running() == 1, "the slow query did not start"
    return thread


def test_every_surface_says_try_later(busy_node):
    node = busy_node
    flight_client = flight.FlightClient(f"grpc://127.0.0.1:{node.port}")
    flight_options = flight.FlightCallOptions(headers=[(b"authorization", f"Bearer {node.token}".encode())])
    flight_ticket = flight_client.get_flight_info(flight.FlightDescriptor.for_command(QUICK.encode()),
                                                  flight_options).endpoints[0].ticket
    sql_client, sql_options = raw(node)
    sql_ticket = sql_client.get_flight_info(flight.FlightDescriptor.for_command(statement_query(QUICK)),
                                            sql_options).endpoints[0].ticket
    holder = hold_the_slot(node, seconds=12)
    try:
        # HTTP, both query routes: 503 with Retry-After and the reason.
        for route in ("/api/v4/node/query", "/query"):
            r = node.post(route, {"sql": QUICK})
            assert r.status_code == 503, r.text
            assert r.headers.get("Retry-After") == "1"
            assert "too many queries" in r.json()["error"]
        # Flight: planning a command and redeeming a ticket.
        with pytest.raises(flight.FlightUnavailableError, match="too many queries"):
            flight_client.get_flight_info(flight.FlightDescriptor.for_command(QUICK.encode()), flight_options)
        with pytest.raises(flight.FlightUnavailableError, match="too many queries"):
            flight_client.do_get(flight_ticket, flight_options).read_all()
        # Flight SQL: raw calls (planning a statement not planned before: a planned one is
        # answered from the plan cache without a slot), and the real ADBC driver.
        with pytest.raises(flight.FlightUnavailableError, match="too many queries"):
            sql_client.get_flight_info(flight.FlightDescriptor.for_command(statement_query(QUICK + " AND true")),
                                       sql_options)
        with pytest.raises(flight.FlightUnavailableError, match="too many queries"):
            sql_client.do_get(sql_ticket, sql_options).read_all()
        with node.adbc() as conn, conn.cursor() as cur:
            with pytest.raises(adbc_driver_manager.Error, match="(?i)unavailable.*too many queries|too many queries"):
                cur.execute(QUICK)
                cur.fetchall()
    finally:
        holder.join()
    assert node.wait_until_idle(), "the slow query kept its slot after its client gave up"
    # Retried once the slot is free: every surface answers.
    assert node.rows(QUICK) == [[5]]
    assert flight_client.do_get(flight_ticket, flight_options).read_all().column("n").to_pylist() == [5]
    assert sql_client.do_get(sql_ticket, sql_options).read_all().column("n").to_pylist() == [5]
    with node.adbc() as conn, conn.cursor() as cur:
        cur.execute(QUICK)
        assert cur.fetchall() == [(5,)]


def test_query_wait_sec_is_validated(hot_cold, tmp_path):
    from conftest import BINARY, write_config
    import subprocess
    path = tmp_path / "bad.json"
    write_config(path, hot_cold.volumes, 50000, query_wait_sec=-1)
    result = subprocess.run([str(BINARY), "--check-config", str(path)], capture_output=True, text=True)
    assert result.returncode == 1
    assert "$.node.ducklake.query_wait_sec: must be between 0 and 3600" in result.stderr
