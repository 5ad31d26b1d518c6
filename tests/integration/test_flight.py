"""Plain Arrow Flight on flight_server.port with real pyarrow clients: the seed example, table
paths, ListFlights, GetSchema, tickets, auth, error codes, large results within
max_message_size, and cancellation stopping the query inside DuckDB."""
import subprocess
import sys
import textwrap

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.flight as flight
import pytest

from conftest import start_node

SQL = b"SELECT * FROM homer_lake.main.hep_proto_1_call LIMIT 10"


def connect(node):
    return flight.FlightClient(f"grpc://127.0.0.1:{node.port}")


def auth(node):
    return flight.FlightCallOptions(headers=[(b"authorization", f"Bearer {node.token}".encode())])


def rows(table, order_by="uuid"):
    return sorted(table.to_pylist(), key=lambda r: str(r[order_by]))


def test_seed_example(hot_cold, node_factory):
    node = node_factory(hot_cold.volumes)
    # The seed's snippet, verbatim apart from the port and token.
    client = flight.FlightClient(f"grpc://localhost:{node.port}")
    options = flight.FlightCallOptions(headers=[(b"authorization", f"Bearer {node.token}".encode())])
    info = client.get_flight_info(flight.FlightDescriptor.for_command(SQL), options)
    table = client.do_get(info.endpoints[0].ticket, options).read_all()
    assert table.num_rows == 5
    assert table.schema == info.schema
    assert table.column_names == ["uuid", "date", "timestamp", "session_id", "src_port", "method", "data_extra",
                                  "storage_volume", "storage_lake"]
    assert table.schema.field("src_port").type == pa.uint32()
    assert table.schema.field("timestamp").type == pa.timestamp("us")
    assert table.schema.field("date").type == pa.date32()
    by_uuid = {r["uuid"]: r for r in table.to_pylist()}
    assert by_uuid["h3"]["src_port"] == 4294967295
    assert by_uuid["h1"]["data_extra"] == '{"a": 1}'
    assert by_uuid["c2"]["storage_volume"] == "cold"


def test_table_paths_list_flights_and_schemas(hot_cold, node_factory):
    node = node_factory(hot_cold.volumes)
    client, options = connect(node), auth(node)
    listed = {tuple(p.decode() for p in f.descriptor.path): f for f in client.list_flights(options=options)}
    assert set(listed) == {("homer_lake", "main", "hep_proto_1_call"), ("homer_lake", "main", "hep_proto_100_default"),
                           ("homer_lake_hot", "main", "hep_proto_1_call"),
                           ("homer_lake_cold", "main", "hep_proto_1_call"),
                           ("homer_lake_cold", "main", "hep_proto_100_default")}
    merged = listed[("homer_lake", "main", "hep_proto_1_call")]
    assert merged.schema.names[-2:] == ["storage_volume", "storage_lake"]
    assert "storage_volume" not in listed[("homer_lake_cold", "main", "hep_proto_1_call")].schema.names
    # Every listed flight can be read as it is.
    got = client.do_get(merged.endpoints[0].ticket, options).read_all()
    assert sorted(got.column("uuid").to_pylist()) == ["c1", "c2", "h1", "h2", "h3"]

    for path in (["homer_lake_cold", "main", "hep_proto_1_call"], ["homer_lake_cold/main/hep_proto_1_call"],
                 ["homer_lake_cold", "hep_proto_1_call"]):
        descriptor = flight.FlightDescriptor.for_path(*path)
        info = client.get_flight_info(descriptor, options)
        table = pa.concat_tables(client.do_get(e.ticket, options).read_all() for e in info.endpoints)
        assert sorted(table.column("uuid").to_pylist()) == ["c1", "c2"], path
        assert client.get_schema(descriptor, options).schema == info.schema
    single = flight.FlightDescriptor.for_path("hep_proto_100_default")  # one name: the merged lake
    assert client.get_schema(single, options).schema.names == ["uuid", "timestamp", "payload", "storage_volume",
                                                               "storage_lake"]

    schema = client.get_schema(flight.FlightDescriptor.for_command(b"SELECT 42::UINTEGER AS x, 'a' AS y"),
                               options).schema
    assert schema == pa.schema([("x", pa.uint32()), ("y", pa.string())])
    with pytest.raises(pa.ArrowKeyError, match="no table"):
        client.get_flight_info(flight.FlightDescriptor.for_path("homer_lake", "main", "nope"), options)
    with pytest.raises(pa.ArrowKeyError):
        client.get_schema(flight.FlightDescriptor.for_path("nope"), options)


def test_every_rpc_needs_the_token(hot_cold, node_factory):
    node = node_factory(hot_cold.volumes)
    client = connect(node)
    ticket = client.get_flight_info(flight.FlightDescriptor.for_command(SQL), auth(node)).endpoints[0].ticket
    wrong = flight.FlightCallOptions(headers=[(b"authorization", b"Bearer not-the-token")])
    basic = flight.FlightCallOptions(headers=[(b"authorization", f"Basic {node.token}".encode())])
    calls = [
        lambda o: list(client.list_flights(options=o)),
        lambda o: client.get_flight_info(flight.FlightDescriptor.for_command(SQL), o),
        lambda o: client.get_schema(flight.FlightDescriptor.for_command(SQL), o),
        lambda o: client.do_get(ticket, o).read_all(),
        lambda o: list(client.do_action(flight.Action("catalog_version", b"\x80"), o)),
        lambda o: list(client.list_actions(o)),
    ]
    for call in calls:
        for options in (flight.FlightCallOptions(), wrong, basic):
            with pytest.raises(Exception) as failure:
                call(options)
            # pyarrow's get_schema raises a plain OSError carrying the Flight status detail.
            assert isinstance(failure.value, flight.FlightUnauthenticatedError) or \
                "Detail: Unauthenticated" in str(failure.value), failure.value
    lower = flight.FlightCallOptions(headers=[(b"authorization", f"bearer {node.token}".encode())])
    assert client.do_get(ticket, lower).read_all().num_rows == 5


def test_errors_have_codes_clients_do_not_retry(hot_cold, node_factory):
    node = node_factory(hot_cold.volumes)
    client, options = connect(node), auth(node)

    def info(sql):
        return client.get_flight_info(flight.FlightDescriptor.for_command(sql), options)

    with pytest.raises(pa.ArrowInvalid, match="syntax error"):
        info(b"SELEC 1")
    with pytest.raises(pa.ArrowKeyError, match="nope"):
        info(b"SELECT * FROM homer_lake.main.nope")
    # The engine's sandbox applies to every statement Flight runs.
    with pytest.raises(pa.ArrowInvalid, match="SQL validation failed"):
        info(b"DELETE FROM homer_lake_hot.main.hep_proto_1_call")
    with pytest.raises(pa.ArrowInvalid, match="SQL validation failed"):
        info(b"SELECT 1; SELECT 2")
    with pytest.raises(pa.ArrowInvalid, match="not allowed"):
        info(f"SELECT * FROM sqlite_scan('{hot_cold.volumes[0]['catalog_path']}', 'ducklake_table')".encode())
    with pytest.raises(pa.ArrowInvalid, match="not a homer-node ticket"):
        client.do_get(flight.Ticket(b"SELECT 1"), options).read_all()
    with pytest.raises(pa.ArrowInvalid, match="another homer-node version"):
        client.do_get(flight.Ticket(b"HNT9\x80"), options).read_all()
    # A failure while streaming (not at planning) arrives as the same code.
    with pytest.raises(pa.ArrowInvalid, match="Conversion Error"):
        t = info(b"SELECT CAST('x' || i AS INTEGER) FROM range(3) t(i)").endpoints[0].ticket
        client.do_get(t, options).read_all()
    with pytest.raises(pa.ArrowNotImplementedError, match="unknown action"):
        list(client.do_action(flight.Action("drop_table", b""), options))


def test_ticket_is_served_by_a_restarted_node(hot_cold, node_factory, tmp_path):
    first = node_factory(hot_cold.volumes)
    descriptor = flight.FlightDescriptor.for_path("homer_lake", "main", "hep_proto_1_call")
    info = connect(first).get_flight_info(descriptor, auth(first))
    first.stop()
    second = node_factory(hot_cold.volumes)
    table = pa.concat_tables(connect(second).do_get(e.ticket, auth(second)).read_all() for e in info.endpoints)
    assert sorted(table.column("uuid").to_pylist()) == ["c1", "c2", "h1", "h2", "h3"]


def test_large_result_respects_max_message_size(hot_cold, node_factory):
    limit = 1024 * 1024
    node = node_factory(hot_cold.volumes, env={"HOMER_NODE_FLIGHT_SERVER_MAX_MESSAGE_SIZE": str(limit)})
    # A client that refuses any message above the limit: one oversized message fails the read.
    client = flight.FlightClient(f"grpc://127.0.0.1:{node.port}",
                                 generic_options=[("grpc.max_receive_message_length", limit)])
    n = 1_500_000
    sql = f"SELECT i, repeat('x', 100 + i % 50) AS s, i * 0.5 AS d FROM range({n}) t(i)".encode()
    info = client.get_flight_info(flight.FlightDescriptor.for_command(sql), auth(node))
    reader = client.do_get(info.endpoints[0].ticket, auth(node))
    total, batches, total_bytes, expected_sum = 0, 0, 0, 0
    for chunk in reader:
        batch = chunk.data
        size = pa.ipc.get_record_batch_size(batch)
        assert size <= limit, size
        total_bytes += size
        total += batch.num_rows
        batches += 1
        expected_sum += pc.sum(batch.column("i")).as_py()
    assert total == n and expected_sum == n * (n - 1) // 2
    assert total_bytes > 150 * limit  # far larger than one message
    assert total / batches > 2 * 2048, "batches are coalesced, not one DuckDB vector each"

    # Numbers only: batches are coalesced up to 64K rows or the byte limit (59392 rows here).
    info = client.get_flight_info(flight.FlightDescriptor.for_command(b"SELECT i, i * 2 AS j FROM range(1000000) t(i)"),
                                  auth(node))
    sizes = [c.data.num_rows for c in client.do_get(info.endpoints[0].ticket, auth(node))]
    assert sum(sizes) == 1_000_000 and 16 * 2048 < max(sizes) <= 65536

    # A single row larger than the limit cannot be sent: said plainly, not retried.
    info = client.get_flight_info(flight.FlightDescriptor.for_command(b"SELECT repeat('y', 3000000) AS big"),
                                  auth(node))
    with pytest.raises(pa.ArrowInvalid, match="max_message_size"):
        client.do_get(info.endpoints[0].ticket, auth(node)).read_all()


def test_cancel_and_disconnect_stop_the_query(hot_cold, node_factory):
    node = node_factory(hot_cold.volumes, query_timeout_sec=120)
    options = auth(node)

    def ticket(client, sql):
        return client.get_flight_info(flight.FlightDescriptor.for_command(sql), options).endpoints[0].ticket

    # Still computing in DuckDB, no row sent yet: only the engine's watchdog, polling the call, can notice the
    # client giving up (here its deadline passes, and gRPC cancels the call).
    client = connect(node)
    slow = ticket(client, b"SELECT count(*) FROM range(1000000000000) a")
    deadline = flight.FlightCallOptions(headers=[(b"authorization", f"Bearer {node.token}".encode())], timeout=1.5)
    with pytest.raises(flight.FlightTimedOutError):
        client.do_get(slow, deadline).read_all()
    assert node.wait_until_idle(), "the query kept running in DuckDB after the client cancelled"

    # Streaming a large result: the client cancels the stream.
    big = b"SELECT i, repeat('z', 200) AS s FROM range(1000000000) t(i)"
    reader = client.do_get(ticket(client, big), options)
    reader.read_chunk()
    assert node.queries_running() == 1
    reader.cancel()
    assert node.wait_until_idle(), "the query kept running after the client cancelled the stream"

    # Streaming, then the client process dies: its connection drops without a word.
    script = textwrap.dedent(f"""
        import sys, time, pyarrow.flight as flight
        client = flight.FlightClient("grpc://127.0.0.1:{node.port}")
        options = flight.FlightCallOptions(headers=[(b"authorization", b"Bearer {node.token}")])
        reader = client.do_get(flight.Ticket({ticket(client, big).ticket!r}), options)
        reader.read_chunk()
        print("reading", flush=True)
        time.sleep(600)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "reading"
        assert node.queries_running() == 1
    finally:
        proc.kill()
        proc.wait()
    assert node.wait_until_idle(), "the query kept running after the client disconnected"


def test_open_node_on_loopback_needs_no_token(hot_cold, tmp_path):
    node = start_node(tmp_path, hot_cold.volumes, token="")
    try:
        client = connect(node)
        info = client.get_flight_info(flight.FlightDescriptor.for_command(SQL))
        assert client.do_get(info.endpoints[0].ticket).read_all().num_rows == 5
    finally:
        node.stop()
