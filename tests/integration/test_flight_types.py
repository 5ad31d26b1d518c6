"""Type fidelity over Flight: every column type a DuckLake table can hold arrives with the Arrow
type of the shared mapping (src/common/arrow_types.h) and exactly the value DuckDB holds."""
import uuid

import pyarrow as pa
import pyarrow.flight as flight

from conftest import writer_connection

TYPE_COLUMNS = [
    ("b", "BOOLEAN", pa.bool_()),
    ("ti", "TINYINT", pa.int8()),
    ("si", "SMALLINT", pa.int16()),
    ("i", "INTEGER", pa.int32()),
    ("bi", "BIGINT", pa.int64()),
    ("hi", "HUGEINT", pa.decimal128(38, 0)),
    ("uti", "UTINYINT", pa.uint8()),
    ("usi", "USMALLINT", pa.uint16()),
    ("ui", "UINTEGER", pa.uint32()),
    ("ubi", "UBIGINT", pa.uint64()),
    ("uhi", "UHUGEINT", pa.decimal128(38, 0)),
    ("f", "FLOAT", pa.float32()),
    ("d", "DOUBLE", pa.float64()),
    ("d4", "DECIMAL(4,1)", pa.decimal128(4, 1)),
    ("d18", "DECIMAL(18,3)", pa.decimal128(18, 3)),
    ("d38", "DECIMAL(38,10)", pa.decimal128(38, 10)),
    ("s", "VARCHAR", pa.string()),
    ("bl", "BLOB", pa.binary()),
    ("dt", "DATE", pa.date32()),
    ("tm", "TIME", pa.time64("us")),
    ("ts", "TIMESTAMP", pa.timestamp("us")),
    ("tstz", "TIMESTAMPTZ", pa.timestamp("us", tz="Etc/UTC")),
    ("ts_s", "TIMESTAMP_S", pa.timestamp("s")),
    ("ts_ms", "TIMESTAMP_MS", pa.timestamp("ms")),
    ("ts_ns", "TIMESTAMP_NS", pa.timestamp("ns")),
    ("iv", "INTERVAL", pa.month_day_nano_interval()),
    ("u", "UUID", pa.uuid()),
    ("j", "JSON", pa.json_()),
    ("l", "INTEGER[]", pa.list_(pa.field("l", pa.int32()))),
    ("lb", "BOOLEAN[]", pa.list_(pa.field("l", pa.bool_()))),
    ("st", "STRUCT(a INTEGER, b VARCHAR, c BOOLEAN)",
     pa.struct([("a", pa.int32()), ("b", pa.string()), ("c", pa.bool_())])),
    ("m", "MAP(VARCHAR, INTEGER)", pa.map_(pa.string(), pa.int32())),
    ("ll", "VARCHAR[][]", pa.list_(pa.field("l", pa.list_(pa.field("l", pa.string()))))),
]

TYPE_ROWS = [
    "(true, -128, -32768, -2147483648, -9223372036854775808, -85070591730234615865843651857942052864, 0, 0, 0, 0, 0,"
    " -1.5, -2.25, -999.9, -999999999999999.999, -9999999999999999999999999999.9999999999, '', ''::BLOB,"
    " DATE '0001-01-01', TIME '00:00:00', TIMESTAMP '1900-01-01 00:00:00', TIMESTAMPTZ '1970-01-01 00:00:00+00',"
    " TIMESTAMP_S '1970-01-01 00:00:01', TIMESTAMP_MS '2000-01-01 00:00:00.001', TIMESTAMP_NS '2262-04-11 23:47:16.854775',"
    " INTERVAL '1 year 2 days 3 microseconds', '00000000-0000-0000-0000-000000000000', '[]', [], [], "
    " {'a': -1, 'b': '', 'c': false}, MAP {}, [[]])",
    # HUGEINT / UHUGEINT are stored in Parquet as DOUBLE by DuckLake: 2^126 survives exactly.
    "(false, 127, 32767, 2147483647, 9223372036854775807, 85070591730234615865843651857942052864, 255, 65535,"
    " 4294967295, 18446744073709551615, 85070591730234615865843651857942052864, 3.4e38, 1.7976931348623157e308, 999.9,"
    " 999999999999999.999, 9999999999999999999999999999.9999999999, 'héllo ✓ \"q\" \\n', '\\x00\\xFF\\x10'::BLOB,"
    " DATE '9999-12-31', TIME '23:59:59.999999', TIMESTAMP '2026-11-26 09:00:00.123456',"
    " TIMESTAMPTZ '2026-11-26 09:00:00.123456+05:30', TIMESTAMP_S '2038-01-19 03:14:07', TIMESTAMP_MS '2026-11-26 09:00:00.123',"
    " TIMESTAMP_NS '2026-11-26 09:00:00.123456789', INTERVAL '14 months 3 days 04:05:06.789',"
    " 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"a\": [1, 2.5, null], \"b\": {\"c\": \"d\"}}', [1, NULL, 3],"
    " [true, NULL, false], {'a': 7, 'b': 'x', 'c': NULL}, MAP {'k': 1, 'z': NULL}, [['a', NULL], NULL, []])",
    "(" + ", ".join(["NULL"] * len(TYPE_COLUMNS)) + ")",
]


def write_type_table(lake, vol, table="all_types"):
    """`table` in volume `vol` with one column of every type and three rows (low, high, NULL)."""
    w = lake.writer(vol)
    columns = ", ".join(f"{name} {sql}" for name, sql, _ in TYPE_COLUMNS)
    w.execute(f"CREATE TABLE w.{table} ({columns})")
    w.execute(f"INSERT INTO w.{table} VALUES " + ", ".join(TYPE_ROWS))
    w.close()


def reference(lake, vol, sql, lossless=False):
    """The same query in-process on the lake, as DuckDB's own Arrow export."""
    con = writer_connection()
    con.execute(f"SET arrow_lossless_conversion = {str(lossless).lower()}")
    con.execute(f"ATTACH 'ducklake:sqlite:{vol['catalog_path']}' AS homer_lake_{vol['name']} "
                f"(DATA_PATH '{vol['path']}', READ_ONLY)")
    table = con.execute(sql).to_arrow_table()
    con.close()
    return table


def assert_same_values(got, want, column):
    """Exact equality, through the storage where the wire type is an extension of the reference's."""
    g, w = got.column(column).combine_chunks(), want.column(column).combine_chunks()
    if pa.types.is_string(w.type) and isinstance(g.type, pa.UuidType):
        g = pa.array([None if v is None else str(uuid.UUID(bytes=v)) for v in g.storage.to_pylist()], pa.string())
    elif isinstance(g.type, pa.BaseExtensionType) and not isinstance(w.type, pa.BaseExtensionType):
        g = g.storage
    assert g.type == w.type, (column, g.type, w.type)
    assert g.equals(w), (column, g.to_pylist(), w.to_pylist())


def read_flight(node, sql):
    client = flight.FlightClient(f"grpc://127.0.0.1:{node.port}")
    options = flight.FlightCallOptions(headers=[(b"authorization", f"Bearer {node.token}".encode())])
    info = client.get_flight_info(flight.FlightDescriptor.for_command(sql.encode()), options)
    return pa.concat_tables(client.do_get(e.ticket, options).read_all() for e in info.endpoints)


def test_every_type_arrives_with_its_arrow_type_and_value(lake, node_factory):
    hot = lake.volume("hot")
    write_type_table(lake, hot)
    node = node_factory(lake.volumes)
    names = [name for name, _, _ in TYPE_COLUMNS]
    for relation in ("homer_lake_hot.main.all_types", "homer_lake.main.all_types"):
        got = read_flight(node, f"SELECT {', '.join(names)} FROM {relation} ORDER BY i NULLS LAST")
        assert [(f.name, f.type) for f in got.schema] == [(n, t) for n, _, t in TYPE_COLUMNS], relation
        want = reference(lake, hot, f"SELECT {', '.join(names)} FROM homer_lake_hot.main.all_types ORDER BY i NULLS LAST")
        for name in names:
            assert_same_values(got, want, name)
    # The extreme values, read back as Python values.
    low, high, null = read_flight(node, "SELECT i, hi, uhi, ubi, ui, b, u, lb, st, bl, m FROM homer_lake_hot.main.all_types "
                                        "ORDER BY i NULLS LAST").to_pylist()
    assert int(high["hi"]) == 2**126 and int(low["hi"]) == -(2**126) and int(high["uhi"]) == 2**126
    assert high["ubi"] == 2**64 - 1 and high["ui"] == 2**32 - 1 and high["b"] is False and low["b"] is True
    assert high["u"] == uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")
    assert high["lb"] == [True, None, False] and high["st"]["c"] is None and low["st"]["c"] is False
    assert high["bl"] == b"\x00\xff\x10" and high["m"] == [("k", 1), ("z", None)]
    assert all(v is None for v in null.values())


def test_types_without_an_arrow_equivalent_keep_duckdb_form(lake, node_factory):
    hot = lake.volume("hot")
    w = lake.writer(hot)
    w.execute("CREATE TABLE w.odd (id INTEGER, ttz TIMETZ)")
    w.execute("INSERT INTO w.odd VALUES (1, TIMETZ '12:34:56+05:30'), (2, NULL)")
    w.close()
    node = node_factory(lake.volumes)
    got = read_flight(node, "SELECT id, ttz FROM homer_lake_hot.main.odd ORDER BY id")
    # TIMETZ has no Arrow type: DuckDB's own opaque form, which DuckDB clients map back.
    assert str(got.schema.field("ttz").type).startswith("extension<arrow.opaque")
    want = reference(lake, hot, "SELECT id, ttz FROM homer_lake_hot.main.odd ORDER BY id", lossless=True)
    assert got.column("ttz").combine_chunks().storage.equals(want.column("ttz").combine_chunks().storage)
    # Computed values of types a lake cannot hold travel the same way.
    got = read_flight(node, "SELECT 'a'::ENUM('a', 'b') AS e, '101'::BIT AS bits, 10::UHUGEINT AS small")
    assert pa.types.is_dictionary(got.schema.field("e").type)
    assert got.column("e").to_pylist() == ["a"] and got.column("small").to_pylist()[0] == 10
