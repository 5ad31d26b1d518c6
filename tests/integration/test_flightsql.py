"""Arrow Flight SQL on flightsql_server.port with the real ADBC Flight SQL driver (the Go driver
Python loads) and with raw pyarrow.flight calls for exact result schemas: auth by token and by
user/password, statement queries, catalog metadata at every depth, SqlInfo, refused writes and
sandbox escapes."""

import time

import pyarrow as pa
import pyarrow.flight as flight
import pytest

import adbc_driver_flightsql.dbapi as flightsql
import adbc_driver_manager

SQL_NS = "arrow.flight.protocol.sql."


# --- a minimal protobuf encoder: commands are google.protobuf.Any messages -------------------
def _varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _field_bytes(number, data):
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def _field_bool(number, value):
    return _varint(number << 3) + _varint(int(value))


def any_cmd(message, body=b""):
    return (_field_bytes(1, f"type.googleapis.com/{SQL_NS}{message}".encode()) + _field_bytes(2, body))


def statement_query(sql):
    return any_cmd("CommandStatementQuery", _field_bytes(1, sql.encode()))


# --- fixtures ---------------------------------------------------------------------------------
@pytest.fixture
def node(hot_cold, node_factory):
    return node_factory(hot_cold.volumes, flightsql={})


def uri(node):
    return f"grpc://127.0.0.1:{node.flightsql_port}"


def connect_token(node, token=None):
    return node.adbc(token)


def connect_password(node, password=None):
    return flightsql.connect(uri(node), db_kwargs={
        "username": "grafana", "password": node.token if password is None else password}, autocommit=True)


def raw(node):
    client = flight.FlightClient(uri(node))
    options = flight.FlightCallOptions(headers=[(b"authorization", f"Bearer {node.token}".encode())])
    return client, options


# --- ADBC -------------------------------------------------------------------------------------
def test_adbc_token_execute_fetch_arrow(node):
    with connect_token(node) as conn, conn.cursor() as cur:
        cur.execute("SELECT uuid, src_port, method FROM homer_lake.main.hep_proto_1_call ORDER BY uuid")
        table = cur.fetch_arrow_table()
    assert table.column("uuid").to_pylist() == ["c1", "c2", "h1", "h2", "h3"]
    assert table.schema.field("src_port").type == pa.uint32()
    assert table.column("src_port").to_pylist()[-1] == 4294967295


def test_adbc_user_password(node):
    with connect_password(node) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) AS n FROM homer_lake_cold.main.hep_proto_1_call")
        assert cur.fetchone() == (2,)


def test_adbc_select_1_health_check(node):
    with connect_token(node) as conn, conn.cursor() as cur:
        cur.execute("select 1")
        assert cur.fetchall() == [(1,)]


@pytest.mark.parametrize("connect", [connect_token, connect_password])
def test_adbc_wrong_credentials_refused(node, connect):
    with pytest.raises(adbc_driver_manager.Error) as err:
        with connect(node, "wrong-token") as conn, conn.cursor() as cur:
            cur.execute("select 1")
            cur.fetchall()
    assert "nauthenticated" in str(err.value) or "UNAUTHENTICATED" in str(err.value)


@pytest.mark.parametrize("depth", ["catalogs", "db_schemas", "tables", "columns", "all"])
def test_adbc_get_objects_every_depth(node, depth):
    with connect_token(node) as conn:
        objects = conn.adbc_get_objects(depth=depth).read_all().to_pylist()
    catalogs = {c["catalog_name"]: c for c in objects}
    assert {"homer_lake", "homer_lake_hot", "homer_lake_cold"} <= set(catalogs)
    if depth == "catalogs":
        return
    schemas = catalogs["homer_lake"]["catalog_db_schemas"]
    assert [s["db_schema_name"] for s in schemas] == ["main"]
    if depth == "db_schemas":
        return
    tables = {t["table_name"]: t for t in schemas[0]["db_schema_tables"]}
    assert {"hep_proto_1_call", "hep_proto_100_default"} <= set(tables)
    assert tables["hep_proto_1_call"]["table_type"] == "BASE TABLE"
    if depth == "tables":
        return
    columns = [c["column_name"] for c in tables["hep_proto_1_call"]["table_columns"]]
    assert columns[:3] == ["uuid", "date", "timestamp"]
    assert "storage_volume" in columns


def test_adbc_get_objects_filters(node):
    with connect_token(node) as conn:
        objects = conn.adbc_get_objects(depth="tables", catalog_filter="homer_lake_cold",
                                        table_name_filter="hep_proto_100%").read_all().to_pylist()
    assert len(objects) == 1
    tables = objects[0]["catalog_db_schemas"][0]["db_schema_tables"]
    assert [t["table_name"] for t in tables] == ["hep_proto_100_default"]


def test_adbc_get_table_schema(node):
    with connect_token(node) as conn:
        schema = conn.adbc_get_table_schema("hep_proto_1_call", catalog_filter="homer_lake_hot",
                                            db_schema_filter="main")
    assert schema.names == ["uuid", "date", "timestamp", "session_id", "src_port", "method", "data_extra"]
    assert schema.field("src_port").type == pa.uint32()
    meta = schema.field("uuid").metadata
    assert meta[b"ARROW:FLIGHT:SQL:TABLE_NAME"] == b"hep_proto_1_call"
    assert meta[b"ARROW:FLIGHT:SQL:IS_READ_ONLY"] == b"1"


def test_adbc_get_table_types(node):
    with connect_token(node) as conn:
        assert conn.adbc_get_table_types() == ["BASE TABLE"]


def test_adbc_get_info(node):
    with connect_token(node) as conn:
        info = conn.adbc_get_info()
    assert info["vendor_name"] == "homer-node"
    assert info["vendor_arrow_version"].startswith("26.")
    assert info["driver_name"] == "ADBC Flight SQL Driver - Go"


@pytest.mark.parametrize("sql", [
    "CREATE TABLE homer_lake_hot.main.x (a INT)",
    "INSERT INTO homer_lake_hot.main.hep_proto_1_call (uuid) VALUES ('x')",
    "SELECT * FROM read_csv('/etc/passwd')",
    "ATTACH '/tmp/evil.db' AS evil",
    "COPY (SELECT 1) TO '/tmp/out.csv'",
    "SELECT 1; SELECT 2",
    "SELECT * FROM query('SELECT 1')",
])
def test_adbc_sandbox_escapes_refused(node, sql):
    with connect_token(node) as conn, conn.cursor() as cur:
        with pytest.raises(adbc_driver_manager.Error) as err:
            cur.execute(sql)
            cur.fetchall()
    assert "INVALID_ARGUMENT" in str(err.value) or "nvalid" in str(err.value)


def test_adbc_unknown_table_not_found(node):
    with connect_token(node) as conn, conn.cursor() as cur:
        with pytest.raises(adbc_driver_manager.Error) as err:
            cur.execute("SELECT * FROM homer_lake.main.no_such_table")
            cur.fetchall()
    assert "no_such_table" in str(err.value)


# --- raw Flight SQL: exact schemas, endpoints, auth ---------------------------------------------
def test_statement_query_one_endpoint_and_same_schema(node):
    client, options = raw(node)
    info = client.get_flight_info(flight.FlightDescriptor.for_command(
        statement_query("SELECT * FROM homer_lake.main.hep_proto_1_call")), options)
    assert len(info.endpoints) == 1
    table = client.do_get(info.endpoints[0].ticket, options).read_all()
    assert table.num_rows == 5
    assert table.schema == info.schema


def test_no_token_and_basic_handshake(node):
    client = flight.FlightClient(uri(node))
    with pytest.raises(flight.FlightUnauthenticatedError):
        client.get_flight_info(flight.FlightDescriptor.for_command(statement_query("select 1")))
    with pytest.raises(flight.FlightUnauthenticatedError):
        client.authenticate_basic_token("grafana", "wrong")
    key, value = client.authenticate_basic_token("grafana", node.token)
    assert key.lower() == b"authorization" and value == f"Bearer {node.token}".encode()
    options = flight.FlightCallOptions(headers=[(key, value)])
    info = client.get_flight_info(flight.FlightDescriptor.for_command(statement_query("select 1")), options)
    assert client.do_get(info.endpoints[0].ticket, options).read_all().num_rows == 1


def test_flight_sql_needs_a_token_even_without_one_configured(hot_cold, node_factory):
    node = node_factory(hot_cold.volumes, token="", flightsql={})
    client = flight.FlightClient(uri(node))
    with pytest.raises(flight.FlightUnauthenticatedError):
        client.get_flight_info(flight.FlightDescriptor.for_command(statement_query("select 1")))


def _utf8(name, nullable=True):
    return pa.field(name, pa.utf8(), nullable)


FK_SCHEMA = pa.schema([
    _utf8("pk_catalog_name"), _utf8("pk_db_schema_name"), _utf8("pk_table_name", False),
    _utf8("pk_column_name", False), _utf8("fk_catalog_name"), _utf8("fk_db_schema_name"),
    _utf8("fk_table_name", False), _utf8("fk_column_name", False), pa.field("key_sequence", pa.int32(), False),
    _utf8("fk_key_name"), _utf8("pk_key_name"), pa.field("update_rule", pa.uint8(), False),
    pa.field("delete_rule", pa.uint8(), False)])

SPEC_SCHEMAS = [
    (any_cmd("CommandGetCatalogs"), pa.schema([_utf8("catalog_name", False)])),
    (any_cmd("CommandGetDbSchemas"), pa.schema([_utf8("catalog_name"), _utf8("db_schema_name", False)])),
    (any_cmd("CommandGetTables"), pa.schema([_utf8("catalog_name"), _utf8("db_schema_name"),
                                             _utf8("table_name", False), _utf8("table_type", False)])),
    (any_cmd("CommandGetTables", _field_bool(5, True)),
     pa.schema([_utf8("catalog_name"), _utf8("db_schema_name"), _utf8("table_name", False),
                _utf8("table_type", False), pa.field("table_schema", pa.binary(), False)])),
    (any_cmd("CommandGetTableTypes"), pa.schema([_utf8("table_type", False)])),
    (any_cmd("CommandGetPrimaryKeys", _field_bytes(3, b"hep_proto_1_call")),
     pa.schema([_utf8("catalog_name"), _utf8("db_schema_name"), _utf8("table_name", False),
                _utf8("column_name", False), pa.field("key_sequence", pa.int32(), False), _utf8("key_name")])),
    (any_cmd("CommandGetImportedKeys", _field_bytes(3, b"hep_proto_1_call")), FK_SCHEMA),
    (any_cmd("CommandGetExportedKeys", _field_bytes(3, b"hep_proto_1_call")), FK_SCHEMA),
    (any_cmd("CommandGetCrossReference", _field_bytes(3, b"a") + _field_bytes(6, b"b")), FK_SCHEMA),
]


@pytest.mark.parametrize("cmd,expected", SPEC_SCHEMAS, ids=[
    "catalogs", "db_schemas", "tables", "tables_with_schema", "table_types", "primary_keys",
    "imported_keys", "exported_keys", "cross_reference"])
def test_metadata_schemas_are_the_specs(node, cmd, expected):
    client, options = raw(node)
    info = client.get_flight_info(flight.FlightDescriptor.for_command(cmd), options)
    assert info.schema.equals(expected, check_metadata=True)
    assert len(info.endpoints) == 1
    table = client.do_get(info.endpoints[0].ticket, options).read_all()
    assert table.schema.equals(expected, check_metadata=True)
    assert client.get_schema(flight.FlightDescriptor.for_command(cmd), options).schema.equals(expected)


def test_repeated_statement_follows_a_schema_change_before_the_refresh(hot_cold, node_factory):
    # GetFlightInfo of a repeated statement is answered from the plan cache while the catalog
    # version holds; a DoGet that streams another schema (a writer added a column before the next
    # refresh) drops the cached plan, so the next GetFlightInfo is prepared again.
    node = node_factory(hot_cold.volumes, flightsql={}, refresh=3600)
    client, options = raw(node)
    descriptor = flight.FlightDescriptor.for_command(statement_query("SELECT * FROM homer_lake_cold.main.hep_proto_1_call"))

    def info_and_stream():
        info = client.get_flight_info(descriptor, options)
        return info.schema, client.do_get(info.endpoints[0].ticket, options).read_all().schema

    before, streamed = info_and_stream()
    assert before == streamed and "late" not in before.names
    assert info_and_stream()[0] == before
    w = hot_cold.writer(hot_cold.volumes[1])
    w.execute("ALTER TABLE w.hep_proto_1_call ADD COLUMN late VARCHAR")
    w.close()
    # The node reads the change once its copy of the catalog caught up (mirror_interval_ms).
    deadline = time.time() + 5
    cached, streamed = info_and_stream()
    while "late" not in streamed.names and time.time() < deadline:
        time.sleep(0.1)
        cached, streamed = info_and_stream()
    assert "late" in streamed.names
    after, streamed_again = info_and_stream()
    assert "late" in after.names and after == streamed_again


def test_get_tables_with_types_and_schema_for_one_table(node):
    client, options = raw(node)
    # Grafana's query builder: types ["BASE TABLE", "table"], then one table's columns.
    cmd = any_cmd("CommandGetTables", _field_bytes(4, b"BASE TABLE") + _field_bytes(4, b"table"))
    info = client.get_flight_info(flight.FlightDescriptor.for_command(cmd), options)
    names = client.do_get(info.endpoints[0].ticket, options).read_all().column("table_name").to_pylist()
    assert "hep_proto_1_call" in names
    cmd = any_cmd("CommandGetTables", _field_bytes(1, b"homer_lake") + _field_bytes(3, b"hep_proto_1_call")
                  + _field_bool(5, True))
    info = client.get_flight_info(flight.FlightDescriptor.for_command(cmd), options)
    table = client.do_get(info.endpoints[0].ticket, options).read_all()
    assert table.num_rows == 1
    schema = pa.ipc.read_schema(pa.py_buffer(table.column("table_schema")[0].as_py()))
    assert "storage_volume" in schema.names
    assert schema.field("timestamp").metadata[b"ARROW:FLIGHT:SQL:TYPE_NAME"] == b"TIMESTAMP"


def test_sql_info_sorted_read_only_and_client_ids(node):
    client, options = raw(node)
    info = client.get_flight_info(flight.FlightDescriptor.for_command(any_cmd("CommandGetSqlInfo")), options)
    table = client.do_get(info.endpoints[0].ticket, options).read_all()
    assert table.schema.field("info_name").type == pa.uint32()
    assert not table.schema.field("value").nullable
    ids = table.column("info_name").to_pylist()
    assert ids == sorted(ids)
    values = dict(zip(ids, table.column("value").to_pylist()))
    assert values[3] is True                      # read-only
    assert values[8] == 0                         # no transactions
    assert table.column("value").chunk(0).type_codes.to_pylist()[ids.index(8)] == 3   # int32 arm
    assert 526 in values
    for list_id in range(508, 513):
        assert isinstance(values[list_id], list) and values[list_id], list_id
    assert "SELECT" in [k.upper() for k in values[508]]


def test_xdbc_type_info(node):
    client, options = raw(node)
    info = client.get_flight_info(flight.FlightDescriptor.for_command(any_cmd("CommandGetXdbcTypeInfo")), options)
    table = client.do_get(info.endpoints[0].ticket, options).read_all()
    assert table.schema == info.schema
    assert "VARCHAR" in table.column("type_name").to_pylist()


def test_updates_and_unknown_commands_refused(node):
    client, options = raw(node)
    with pytest.raises(pa.ArrowInvalid) as err:
        writer, _ = client.do_put(flight.FlightDescriptor.for_command(
            any_cmd("CommandStatementUpdate", _field_bytes(1, b"DELETE FROM x"))), pa.schema([]), options)
        writer.close()
    assert "read-only" in str(err.value)
    with pytest.raises(pa.ArrowInvalid):
        client.get_flight_info(flight.FlightDescriptor.for_command(b"SELECT 1"), options)
    with pytest.raises(pa.ArrowInvalid):
        client.get_flight_info(flight.FlightDescriptor.for_command(
            any_cmd("CommandStatementUpdate", _field_bytes(1, b"DELETE FROM x"))), options)


# --- prepared statements ----------------------------------------------------------------------
def test_adbc_bound_parameters(node):
    with connect_token(node) as conn, conn.cursor() as cur:
        cur.execute("SELECT uuid, src_port FROM homer_lake.main.hep_proto_1_call WHERE method = ? ORDER BY uuid",
                    parameters=("INVITE",))
        assert cur.fetchall() == [("c1", 5061), ("h1", 5060)]
        # The same statement re-bound, and numbered placeholders.
        cur.execute("SELECT uuid, src_port FROM homer_lake.main.hep_proto_1_call WHERE method = ? ORDER BY uuid",
                    parameters=("BYE",))
        assert cur.fetchall() == [("h3", 4294967295)]
        cur.execute("SELECT count(*) FROM homer_lake.main.hep_proto_1_call WHERE src_port > $2 AND method <> $1",
                    parameters=("BYE", 5060))
        assert cur.fetchall() == [(2,)]


def test_adbc_prepared_without_parameters(node):
    with connect_token(node) as conn, conn.cursor() as cur:
        cur.adbc_prepare("SELECT uuid FROM homer_lake_hot.main.hep_proto_1_call ORDER BY uuid")
        cur.execute("SELECT uuid FROM homer_lake_hot.main.hep_proto_1_call ORDER BY uuid")
        assert [r[0] for r in cur.fetchall()] == ["h1", "h2", "h3"]


def test_adbc_parameter_values_stay_values(node):
    with connect_token(node) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM homer_lake.main.hep_proto_1_call WHERE uuid = ?",
                    parameters=("x' OR '1'='1",))
        assert cur.fetchall() == [(0,)]


def _fields(message):
    """A protobuf message's length-delimited fields: {number: bytes} (enough for the results here)."""
    out, i = {}, 0
    while i < len(message):
        key, i = _read_varint(message, i)
        if key & 7 == 2:
            size, i = _read_varint(message, i)
            out[key >> 3] = message[i:i + size]
            i += size
        else:
            _, i = _read_varint(message, i)
    return out


def _read_varint(data, i):
    shift = value = 0
    while True:
        b = data[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, i


def create_prepared(node, sql):
    """ActionCreatePreparedStatement: (handle, dataset schema, parameter schema)."""
    client, options = raw(node)
    body = any_cmd("ActionCreatePreparedStatementRequest", _field_bytes(1, sql.encode()))
    [result] = list(client.do_action(flight.Action("CreatePreparedStatement", body), options))
    any_fields = _fields(result.body.to_pybytes())
    assert any_fields[1].endswith(b"ActionCreatePreparedStatementResult")
    fields = _fields(any_fields[2])
    return fields[1], pa.ipc.read_schema(pa.py_buffer(fields[2])), pa.ipc.read_schema(pa.py_buffer(fields[3]))


def test_prepared_statement_parameter_schema(node):
    # Types come from DuckDB's binder: the column each parameter is compared with.
    _, dataset, params = create_prepared(
        node, "SELECT uuid, timestamp FROM homer_lake.main.hep_proto_1_call WHERE method = ? AND src_port > ?")
    assert [(f.name, f.type) for f in dataset] == [("uuid", pa.utf8()), ("timestamp", pa.timestamp("us"))]
    assert [f.type for f in params] == [pa.utf8(), pa.uint32()]
    # Numbered parameters are listed once each; one DuckDB cannot type is of Arrow type null.
    _, _, params = create_prepared(node, "SELECT $1 AS a, uuid FROM homer_lake.main.hep_proto_1_call WHERE uuid = $2")
    assert [f.type for f in params] == [pa.null(), pa.utf8()]
    _, dataset, params = create_prepared(node, "SELECT 1 AS one")
    assert len(params) == 0 and dataset.names == ["one"]


def test_prepared_non_query_answered_as_an_update_and_refused(node, hot_cold):
    client, options = raw(node)
    sql = "INSERT INTO homer_lake_hot.main.hep_proto_1_call (uuid) VALUES ('x')"
    body = any_cmd("ActionCreatePreparedStatementRequest", _field_bytes(1, sql.encode()))
    [result] = list(client.do_action(flight.Action("CreatePreparedStatement", body), options))
    fields = _fields(_fields(result.body.to_pybytes())[2])
    handle = fields[1]
    assert 2 not in fields or fields[2] == b""  # no dataset schema: an update, as JDBC reads it
    # Executing it as an update is refused as a write; as a query, by the sandbox.
    with pytest.raises(pa.ArrowInvalid, match="read-only"):
        writer, _ = client.do_put(flight.FlightDescriptor.for_command(
            any_cmd("CommandPreparedStatementUpdate", _field_bytes(1, handle))), pa.schema([]), options)
        writer.close()
    with pytest.raises(pa.ArrowInvalid, match="only SELECT"):
        client.get_flight_info(flight.FlightDescriptor.for_command(
            any_cmd("CommandPreparedStatementQuery", _field_bytes(1, handle))), options)
    # Nothing was written.
    with connect_token(node) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM homer_lake_hot.main.hep_proto_1_call")
        assert cur.fetchall() == [(3,)]


def test_adbc_several_parameter_rows_run_once_each(hot_cold, node_factory):
    # One execution per bound row, results concatenated in row order; each run gives its
    # connection back before the next takes one, so one query slot is enough.
    node = node_factory(hot_cold.volumes, flightsql={}, max_concurrent_queries=1)
    rows = pa.record_batch([pa.array(["BYE", "INVITE", "nothing"])], names=["m"])
    with connect_token(node) as conn, conn.cursor() as cur:
        cur.execute("SELECT uuid FROM homer_lake.main.hep_proto_1_call WHERE method = ? ORDER BY uuid", rows)
        assert cur.fetchall() == [("h3",), ("c1",), ("h1",)]


def test_adbc_parameters_by_duckdb_not_by_text(node):
    with connect_token(node) as conn, conn.cursor() as cur:
        # A $tag$ string holds a `?` that is no parameter.
        cur.execute("SELECT $tag$?$tag$ AS q, ? AS v", parameters=(5,))
        assert cur.fetchall() == [("?", 5)]
        # A parameter DuckDB cannot type takes the bound value's type.
        cur.execute("SELECT ? AS v", parameters=(1.5,))
        table = cur.fetch_arrow_table()
        assert table.schema.field("v").type == pa.float64() and table.column("v").to_pylist() == [1.5]
        # A statement with a parameter and no value is refused with the reason.
        with pytest.raises(adbc_driver_manager.Error, match=r"1 parameter\(s\) and 0 value\(s\)"):
            cur.execute("SELECT ? + 1 AS v")
            cur.fetchall()


@pytest.mark.parametrize("sql", [
    "CREATE TABLE homer_lake_hot.main.y AS SELECT ? AS a",
    "SELECT * FROM read_csv(?)",
    "SELECT ?; DROP TABLE homer_lake_hot.main.hep_proto_1_call",
])
def test_adbc_prepared_sandbox_escapes_refused(node, sql):
    with connect_token(node) as conn, conn.cursor() as cur:
        with pytest.raises(adbc_driver_manager.Error):
            cur.execute(sql, parameters=("/etc/passwd",))
            cur.fetchall()


def test_cancel_flight_info_and_unknown_action(node):
    client, options = raw(node)
    info = client.get_flight_info(flight.FlightDescriptor.for_command(statement_query("select 1")), options)
    # CancelFlightInfoRequest{info = 1}; the answer CancelFlightInfoResult{status = NOT_CANCELLABLE (3)}:
    # the query only runs inside DoGet, where cancelling the call stops it.
    body = _field_bytes(1, info.serialize())
    results = list(client.do_action(flight.Action("CancelFlightInfo", body), options))
    assert [r.body.to_pybytes() for r in results] == [b"\x08\x03"]
    with pytest.raises(pa.ArrowNotImplementedError):
        list(client.do_action(flight.Action("BeginTransaction", any_cmd("ActionBeginTransactionRequest")), options))


# --- cancellation and sessions ----------------------------------------------------------------
def test_cancel_mid_stream_stops_the_query(node):
    client, options = raw(node)
    big = statement_query("SELECT i, repeat('z', 200) AS s FROM range(1000000000) t(i)")
    info = client.get_flight_info(flight.FlightDescriptor.for_command(big), options)
    reader = client.do_get(info.endpoints[0].ticket, options)
    reader.read_chunk()
    assert node.queries_running() == 1
    reader.cancel()
    assert node.wait_until_idle(), "the query kept running after the client cancelled the stream"
    # Still computing, no row sent: the client's deadline passes and DuckDB is interrupted.
    slow = statement_query("SELECT count(*) FROM range(1000000000000) a")
    info = client.get_flight_info(flight.FlightDescriptor.for_command(slow), options)
    short = flight.FlightCallOptions(headers=options_headers(node), timeout=1.5)
    with pytest.raises(flight.FlightTimedOutError):
        client.do_get(info.endpoints[0].ticket, short).read_all()
    assert node.wait_until_idle()


def options_headers(node):
    return [(b"authorization", f"Bearer {node.token}".encode())]


def test_session_options(node):
    client, options = raw(node)
    # SetSessionOptionsRequest{session_options: {"x": {string_value: "y"}}}: no option exists.
    entry = _field_bytes(1, b"x") + _field_bytes(2, _field_bytes(1, b"y"))
    results = list(client.do_action(flight.Action("SetSessionOptions", _field_bytes(1, entry)), options))
    # SetSessionOptionsResult{errors: {"x": {value: INVALID_NAME (1)}}}
    assert [r.body.to_pybytes() for r in results] == [_field_bytes(1, _field_bytes(1, b"x") + _field_bytes(2, b"\x08\x01"))]
    results = list(client.do_action(flight.Action("GetSessionOptions", b""), options))
    assert [r.body.to_pybytes() for r in results] == [b""]
    results = list(client.do_action(flight.Action("CloseSession", b""), options))
    assert [r.body.to_pybytes() for r in results] == [b"\x08\x01"]   # CLOSED
