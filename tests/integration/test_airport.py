"""The DuckDB Airport protocol against a real node, through a client that decodes everything the
way the Airport extension does (airport_client.py). Every scan is checked against the same
query run in-process on the lake by Python duckdb + ducklake. The real extension runs in
test_airport_duckdb.py; this file keeps the request shapes DuckDB does not easily produce
(filters the node must leave alone, every constant type, statistics, bad time-travel values)."""
import time

import pyarrow as pa
import pytest

from airport_client import (NO_COLUMN, ROWID, AirportClient, Filters, between, cast, cmp, conj, const, decimal_type,
                            func, op)
from conftest import writer_connection
from test_flight_types import assert_same_values, write_type_table

LAKE = "homer_lake"


class LakeReference:
    """The lake attached in-process, read-only, under the node's catalog names."""

    def __init__(self, lake):
        self.con = writer_connection()
        self.con.execute("SET arrow_lossless_conversion = false")
        self.volumes = [v["name"] for v in lake.volumes]
        for v in lake.volumes:
            self.con.execute(f"ATTACH 'ducklake:sqlite:{v['catalog_path']}' AS {LAKE}_{v['name']} "
                             f"(DATA_PATH '{v['path']}', READ_ONLY)")

    def relation(self, schema, table, at=""):
        if schema != LAKE:
            return f"{schema}.main.{table}{at}"
        branches = []
        for v in self.volumes:
            exists = self.con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND table_name = ?",
                                      [f"{LAKE}_{v}", table]).fetchone()[0]
            if exists:
                branches.append(f"SELECT *, '{v}' AS storage_volume, '{LAKE}_{v}' AS storage_lake "
                                f"FROM {LAKE}_{v}.main.{table}{at}")
        return "(" + " UNION ALL BY NAME ".join(branches) + ")"

    def query(self, sql):
        return self.con.execute(sql).to_arrow_table()


def same_rows(got, want, key):
    assert got.num_rows == want.num_rows, (got.num_rows, want.num_rows)
    got, want = got.sort_by(key), want.sort_by(key)
    for name in want.column_names:
        assert_same_values(got, want, name)


@pytest.fixture
def airport(hot_cold, node_factory):
    write_type_table(hot_cold, hot_cold.volumes[0])  # all_types in the hot volume
    node = node_factory(hot_cold.volumes)
    client = AirportClient(f"grpc://127.0.0.1:{node.port}", node.token)
    yield node, client, LakeReference(hot_cold)
    client.close()


def test_list_schemas_decodes_as_the_client_does(airport):
    node, client, _ = airport
    assert client.create_transaction() == {"identifier": None}
    catalog = client.list_schemas()
    assert set(catalog.schemas) == {LAKE, f"{LAKE}_hot", f"{LAKE}_cold"}
    assert catalog.defaults[LAKE] and not catalog.defaults[f"{LAKE}_hot"]
    assert set(catalog.schemas[LAKE]) == {"hep_proto_1_call", "hep_proto_100_default", "all_types"}
    assert set(catalog.schemas[f"{LAKE}_hot"]) == {"hep_proto_1_call", "all_types"}
    assert set(catalog.schemas[f"{LAKE}_cold"]) == {"hep_proto_1_call", "hep_proto_100_default"}
    version = client.catalog_version()
    assert version == {"catalog_version": catalog.version, "is_fixed": False} and not catalog.is_fixed
    calls = catalog.schemas[LAKE]["hep_proto_1_call"]
    assert calls.schema.names[-2:] == ["storage_volume", "storage_lake"]
    assert calls.schema.field("src_port").type == pa.uint32()
    # The descriptor names the columns given: scans return those even after one is added.
    assert [p.decode() for p in calls.descriptor.path] == [LAKE, "main", "hep_proto_1_call", *calls.schema.names]
    # Statistics are offered where the client can take them for every column type.
    assert calls.schema.metadata == {b"can_produce_statistics": b"true"}
    assert not catalog.schemas[LAKE]["all_types"].schema.metadata  # INTERVAL, MAP: no statistics
    # The catalog name is echoed as sent: it is the client's attach name.
    other = AirportClient(f"grpc://127.0.0.1:{node.port}", node.token, catalog="anything")
    assert set(other.list_schemas().schemas) == set(catalog.schemas)


def test_scans_with_projection_and_filters_match_in_process(airport):
    _, client, ref = airport
    catalog = client.list_schemas()
    for schema_name in (LAKE, f"{LAKE}_hot"):
        table = catalog.schemas[schema_name]["hep_proto_1_call"]
        names = table.schema.names
        relation = ref.relation(schema_name, "hep_proto_1_call")
        got, _ = client.scan(table)
        same_rows(got, ref.query(f"SELECT * FROM {relation}"), "uuid")

        # Projection: the full schema comes back, the columns not asked for are NULL.
        ids = [names.index("uuid"), names.index("src_port"), names.index("method")]
        f = Filters(table.schema, ids)
        cases = [
            (f.json(cmp("EQUAL", f.col("method", "VARCHAR"), const("VARCHAR", "INVITE"))), "method = 'INVITE'"),
            (f.json(cmp("GREATERTHAN", f.col("src_port", "UINTEGER"), const("UINTEGER", 5060))), "src_port > 5060"),
            (f.json(op("COMPARE_IN", f.col("method", "VARCHAR"), const("VARCHAR", "BYE"), const("VARCHAR", "200"))),
             "method IN ('BYE', '200')"),
            (f.json(conj("OR", cmp("EQUAL", f.col("uuid", "VARCHAR"), const("VARCHAR", "h1")),
                         cmp("LESSTHANOREQUALTO", f.col("src_port", "UINTEGER"), const("UINTEGER", 5060)))),
             "uuid = 'h1' OR src_port <= 5060"),
            # Not understood (a function) inside AND: dropped, the rest still applies.
            (f.json(conj("AND", func("prefix", f.col("method", "VARCHAR"), const("VARCHAR", "IN")),
                         op("OPERATOR_IS_NOT_NULL", f.col("uuid", "VARCHAR")),
                         between(f.col("src_port", "UINTEGER"), const("UINTEGER", 5060), const("UINTEGER", 5061)))),
             "uuid IS NOT NULL AND src_port BETWEEN 5060 AND 5061"),
            # Not understood inside OR: the whole OR is left to the client.
            (f.json(conj("OR", func("prefix", f.col("method", "VARCHAR"), const("VARCHAR", "IN")),
                         cmp("EQUAL", f.col("uuid", "VARCHAR"), const("VARCHAR", "h1")))), "true"),
            # The rowid and unknown names are never filtered on.
            (Filters(table.schema, ids + [ROWID]).json(
                cmp("EQUAL", Filters(table.schema, ids + [ROWID]).col("rowid", "BIGINT"), const("BIGINT", 1))), "true"),
        ]
        for filters, where in cases:
            got, _ = client.scan(table, ids + ([ROWID] if "rowid" in filters else []), filters)
            want = ref.query(f"SELECT uuid, src_port, method FROM {relation} WHERE {where}")
            same_rows(got.select(["uuid", "src_port", "method"]), want, "uuid")
            others = [n for n in names if n not in ("uuid", "src_port", "method")]
            assert all(got.column(n).null_count == got.num_rows for n in others), where

    # count(*): no column at all; the rows still come, every column NULL.
    table = catalog.schemas[LAKE]["hep_proto_1_call"]
    got, _ = client.scan(table, [NO_COLUMN])
    assert got.num_rows == 5 and all(c.null_count == 5 for c in got.columns)
    f = Filters(table.schema, [table.schema.names.index("storage_volume")])
    got, _ = client.scan(table, [table.schema.names.index("storage_volume")],
                         f.json(cmp("EQUAL", f.col("storage_volume", "VARCHAR"), const("VARCHAR", "cold"))))
    assert got.column("storage_volume").to_pylist() == ["cold", "cold"]


def test_filters_on_every_constant_type(airport):
    _, client, ref = airport
    table = client.list_schemas().schemas[f"{LAKE}_hot"]["all_types"]
    names = table.schema.names
    ids = list(range(len(names)))
    f = Filters(table.schema, ids)
    c = f.col
    cases = [
        (cmp("EQUAL", c("b", "BOOLEAN"), const("BOOLEAN", False)), "b = false"),
        (cmp("LESSTHAN", c("ti", "TINYINT"), const("TINYINT", 0)), "ti < 0"),
        (cmp("EQUAL", c("ubi", "UBIGINT"), const("UBIGINT", 2**64 - 1)), "ubi = 18446744073709551615"),
        (cmp("GREATERTHAN", c("f", "FLOAT"), const("FLOAT", 1.5)), "f > 1.5::FLOAT"),
        (cmp("EQUAL", c("d18", "DECIMAL"), const("DECIMAL", -999999999999999999, decimal_type(18, 3))),
         "d18 = -999999999999999.999"),
        # Widths above 18 are 128-bit: {upper, lower}.
        (cmp("EQUAL", c("d38", "DECIMAL"), const("DECIMAL", {"upper": 5421010862427522170, "lower": 687399551400673279},
                                                  decimal_type(38, 10))),
         "d38 = 9999999999999999999999999999.9999999999"),
        (cmp("EQUAL", c("d4", "DECIMAL"), const("DECIMAL", 9999, decimal_type(4, 1))), "d4 = 999.9"),
        (cmp("GREATERTHAN", c("dt", "DATE"), const("DATE", 0)), "dt > DATE '1970-01-01'"),
        (cmp("LESSTHAN", c("tm", "TIME"), const("TIME", 3600 * 10**6)), "tm < TIME '01:00:00'"),
        (cmp("GREATERTHANOREQUALTO", c("ts", "TIMESTAMP"), const("TIMESTAMP", 1_000_000_000 * 10**6)),
         "ts >= TIMESTAMP '2001-09-09 01:46:40'"),
        (cmp("GREATERTHAN", c("tstz", "TIMESTAMP WITH TIME ZONE"), const("TIMESTAMP WITH TIME ZONE", 1)),
         "tstz > TIMESTAMPTZ '1970-01-01 00:00:00.000001+00'"),
        (cmp("EQUAL", c("ts_ns", "TIMESTAMP_NS"), const("TIMESTAMP_NS", 1795683600123456789)),
         "ts_ns = TIMESTAMP_NS '2026-11-26 09:00:00.123456789'"),
        (cmp("EQUAL", c("ts_s", "TIMESTAMP_S"), const("TIMESTAMP_S", 1)), "ts_s = TIMESTAMP_S '1970-01-01 00:00:01'"),
        # A UUID is a 128-bit integer with the top bit flipped.
        (cmp("EQUAL", c("u", "UUID"), const("UUID", {"upper": 0xa0eebc999c0b4ef8 ^ (1 << 63),
                                                     "lower": 0xbb6d6bb9bd380a11})),
         "u = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'"),
        (cmp("EQUAL", c("bl", "BLOB"), const("BLOB", "")), "bl = ''::BLOB"),
        (cmp("NOTEQUAL", c("s", "VARCHAR"), const("VARCHAR", "")), "s <> ''"),
        (op("OPERATOR_IS_NULL", c("j", "VARCHAR")), "j IS NULL"),
        (cmp("GREATERTHAN", cast(c("si", "SMALLINT"), "BIGINT"), const("BIGINT", 0)), "si > 0"),
    ]
    for expr, where in cases:
        got, _ = client.scan(table, ids, f.json(expr))
        want = ref.query(f"SELECT i, s FROM {LAKE}_hot.main.all_types WHERE {where}")
        assert got.num_rows == want.num_rows, where
        assert sorted(map(str, got.column("i").to_pylist())) == sorted(map(str, want.column("i").to_pylist())), where
    # A HUGEINT column reaches the client as DECIMAL(38, 0), compared by other rules: never
    # pushed down, so every row comes back for the client to filter.
    got, _ = client.scan(table, ids, f.json(cmp("EQUAL", c("hi", "DECIMAL"), const("DECIMAL", 1, decimal_type(38, 0)))))
    assert got.num_rows == 3


def snapshot_of(writer):
    sid, at = writer.execute("SELECT snapshot_id, CAST(snapshot_time AS VARCHAR) FROM w.snapshots() "
                             "ORDER BY snapshot_id DESC LIMIT 1").fetchone()
    return sid, at


def test_time_travel_across_two_snapshots(hot_cold, node_factory):
    hot = hot_cold.volumes[0]
    w = hot_cold.writer(hot)
    v1, t1 = snapshot_of(w)
    time.sleep(0.05)
    w.execute("ALTER TABLE w.hep_proto_1_call ADD COLUMN extra INTEGER")
    w.execute("INSERT INTO w.hep_proto_1_call (uuid, src_port, extra) VALUES ('h4', 1, 42)")
    v2, _ = snapshot_of(w)
    w.close()
    assert v2 > v1
    node = node_factory(hot_cold.volumes)
    client = AirportClient(f"grpc://127.0.0.1:{node.port}", node.token)
    ref = LakeReference(hot_cold)
    catalog = client.list_schemas()
    table = catalog.schemas[f"{LAKE}_hot"]["hep_proto_1_call"]
    assert "extra" in table.schema.names
    for unit, value in (("VERSION", str(v1)), ("TIMESTAMP", t1)):
        info = client.flight_info(table, unit, value)
        assert "extra" not in info.schema.names and not info.schema.metadata
        got, _ = client.scan(table, None, "", unit, value, schema=info.schema)
        at = f" AT (VERSION => {v1})" if unit == "VERSION" else f" AT (TIMESTAMP => '{t1}'::TIMESTAMPTZ)"
        same_rows(got, ref.query(f"SELECT * FROM {ref.relation(f'{LAKE}_hot', 'hep_proto_1_call', at)}"), "uuid")
        assert sorted(got.column("uuid").to_pylist()) == ["h1", "h2", "h3"]
    got, _ = client.scan(table)
    assert sorted(got.column("uuid").to_pylist()) == ["h1", "h2", "h3", "h4"]

    # The merged lake at a time: each volume's table as it was then (cold had no snapshot yet
    # at t1 in this lake's history only if written later; either way the rows match DuckDB).
    merged = catalog.schemas[LAKE]["hep_proto_1_call"]
    info = client.flight_info(merged, "TIMESTAMP", t1)
    got, _ = client.scan(merged, None, "", "TIMESTAMP", t1, schema=info.schema)
    at = f" AT (TIMESTAMP => '{t1}'::TIMESTAMPTZ)"
    branches = []
    for v in ("hot", "cold"):
        try:
            ref.query(f"SELECT 1 FROM {LAKE}_{v}.main.hep_proto_1_call{at}")
            branches.append(f"SELECT *, '{v}' AS storage_volume, '{LAKE}_{v}' AS storage_lake "
                            f"FROM {LAKE}_{v}.main.hep_proto_1_call{at}")
        except Exception:  # noqa: BLE001 (no snapshot of that volume at t1: no rows from it)
            pass
    same_rows(got, ref.query("SELECT * FROM (" + " UNION ALL BY NAME ".join(branches) + ")"), "uuid")
    assert "h4" not in got.column("uuid").to_pylist()
    with pytest.raises(pa.ArrowInvalid, match="VERSION"):
        client.flight_info(merged, "VERSION", str(v1))
    with pytest.raises(pa.ArrowInvalid):
        client.flight_info(table, "TIMESTAMP", "not a time")
    with pytest.raises(pa.ArrowInvalid, match="at_unit"):
        client.flight_info(table, "SECONDS", "1")


def test_catalog_version_moves_when_a_writer_adds_a_table(airport, hot_cold):
    node, client, _ = airport
    before = client.catalog_version()["catalog_version"]
    w = hot_cold.writer(hot_cold.volumes[1])
    w.execute("CREATE TABLE w.hep_proto_5_new (uuid VARCHAR, n INTEGER)")
    w.execute("INSERT INTO w.hep_proto_5_new VALUES ('x', 1)")
    w.close()
    deadline = time.time() + 15
    while client.catalog_version()["catalog_version"] == before and time.time() < deadline:
        time.sleep(0.2)
    after = client.catalog_version()["catalog_version"]
    assert after > before
    catalog = client.list_schemas()
    assert catalog.version == after
    assert "hep_proto_5_new" in catalog.schemas[LAKE] and "hep_proto_5_new" in catalog.schemas[f"{LAKE}_cold"]
    got, _ = client.scan(catalog.schemas[LAKE]["hep_proto_5_new"])
    assert got.to_pylist() == [{"uuid": "x", "n": 1, "storage_volume": "cold", "storage_lake": f"{LAKE}_cold"}]


def test_column_statistics_from_ducklake(airport):
    _, client, _ = airport
    catalog = client.list_schemas()
    hot = catalog.schemas[f"{LAKE}_hot"]["hep_proto_1_call"]
    merged = catalog.schemas[LAKE]["hep_proto_1_call"]

    def stats(table, column, duck_type):
        return client.column_statistics(table, column, duck_type).to_pylist()[0]

    s = stats(hot, "src_port", "UINTEGER")
    assert (s["min"], s["max"], s["has_null"], s["has_not_null"]) == (5060, 4294967295, False, True)
    assert client.column_statistics(hot, "src_port", "UINTEGER").schema.field("min").type == pa.uint32()
    s = stats(merged, "src_port", "UINTEGER")
    assert (s["min"], s["max"]) == (5060, 4294967295)
    s = stats(merged, "timestamp", "TIMESTAMP")
    assert str(s["min"]) == "2026-11-01 00:00:00" and str(s["max"]) == "2026-11-26 09:00:00.123456"
    s = stats(merged, "method", "VARCHAR")
    assert (s["min"], s["max"], s["contains_unicode"]) == ("200", "INVITE", True)
    s = stats(merged, "data_extra", "JSON")
    assert s["has_null"] is True
    s = stats(merged, "storage_volume", "VARCHAR")
    assert (s["min"], s["max"], s["has_null"]) == ("cold", "hot", False)
    assert s["distinct_count"] == 0  # unknown
