"""What clients send is held to flight_server.max_message_size too: a larger command, ticket or
action body is refused before the node parses it, on Flight and Flight SQL."""
import pyarrow as pa
import pyarrow.flight as flight
import pytest

from conftest import memory_growth_bound
from test_flightsql import raw, statement_query


def test_oversized_requests_are_refused_unread(hot_cold, node_factory):
    node = node_factory(hot_cold.volumes, flightsql={})
    node_cfg_limit = 16 * 1024 * 1024
    big_sql = "SELECT 1 AS x -- " + "x" * (node_cfg_limit + 1)
    client = flight.FlightClient(f"grpc://127.0.0.1:{node.port}")
    options = flight.FlightCallOptions(headers=[(b"authorization", f"Bearer {node.token}".encode())])
    rss_before = node.rss_bytes()
    with pytest.raises(pa.ArrowInvalid, match="more than flight_server.max_message_size"):
        client.get_flight_info(flight.FlightDescriptor.for_command(big_sql.encode()), options)
    with pytest.raises(pa.ArrowInvalid, match="the ticket is"):
        client.do_get(flight.Ticket(b"x" * (node_cfg_limit + 1)), options).read_all()
    with pytest.raises(pa.ArrowInvalid, match="the action body is"):
        list(client.do_action(flight.Action("list_schemas", b"x" * (node_cfg_limit + 1)), options))
    sql_client, sql_options = raw(node)
    with pytest.raises(pa.ArrowInvalid, match="more than flight_server.max_message_size"):
        sql_client.get_flight_info(flight.FlightDescriptor.for_command(statement_query(big_sql)), sql_options)
    with pytest.raises(pa.ArrowInvalid, match="the ticket is"):
        sql_client.do_get(flight.Ticket(statement_query(big_sql)), sql_options).read_all()
    # Just under the limit still works, and nothing of the refused requests was kept.
    ok = "SELECT 1 AS x -- " + "x" * 1000
    info = client.get_flight_info(flight.FlightDescriptor.for_command(ok.encode()), options)
    assert client.do_get(info.endpoints[0].ticket, options).read_all().column("x").to_pylist() == [1]
    bound = memory_growth_bound(200 * 2**20)
    assert bound is None or node.rss_bytes() - rss_before < bound
