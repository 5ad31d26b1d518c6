"""node.ducklake.partial_answers: while a volume is not attached, merged queries answer from the
other volumes and say so on every surface (HTTP header and body field, the `homer.partial` key
of the Arrow schema metadata, /metrics); off (the default), the same queries fail with the reason."""
import json
import os

import pyarrow.flight as flight
import pytest

from airport_duckdb import airport_connection, attach
from conftest import parse_metrics

COUNT = "SELECT count(*) FROM homer_lake.main.hep_proto_1_call"
UUIDS = "SELECT uuid FROM homer_lake.main.hep_proto_1_call WHERE method <> 'x' ORDER BY uuid"
TABLE = ("homer_lake", "main", "hep_proto_1_call")


def missing_hot(hot_cold):
    catalog = hot_cold.volumes[0]["catalog_path"]  # the hot volume's
    os.rename(catalog, catalog + ".away")


def flight_client(node):
    client = flight.FlightClient(f"grpc://127.0.0.1:{node.port}")
    return client, flight.FlightCallOptions(headers=[(b"authorization", f"Bearer {node.token}".encode())])


def mark(schema):
    """The partial mark of an Arrow schema, parsed (None when there is none)."""
    value = (schema.metadata or {}).get(b"homer.partial")
    return json.loads(value) if value is not None else None


def assert_hot_missing(partial):
    assert partial is not None
    assert [v["name"] for v in partial["missing_volumes"]] == ["hot"], partial
    assert "does not exist" in partial["missing_volumes"][0]["reason"], partial
    assert "volume 'hot'" in partial["reason"], partial


def partial_counts(node):
    samples, _ = parse_metrics(node.get("/metrics").text)
    return {dict(labels)["surface"]: v for (name, labels), v in samples.items()
            if name == "homer_partial_answers_total"}


def test_partial_answers_leave_a_missing_volume_out_and_say_so(hot_cold, node_factory):
    missing_hot(hot_cold)
    node = node_factory(hot_cold.volumes, refresh=1, partial_answers=True, flightsql={})

    # HTTP, both routes: 200 with the present volume's rows, the header and the body field.
    r = node.post("/api/v4/node/query", {"sql": UUIDS})
    assert r.status_code == 200, r.text
    assert r.json()["data"] == [["c1"], ["c2"]]
    assert "volume 'hot'" in r.headers["X-Homer-Partial"] and "does not exist" in r.headers["X-Homer-Partial"]
    assert_hot_missing(r.json()["partial"])
    assert r.json()["partial"]["reason"] == r.headers["X-Homer-Partial"]
    r = node.post("/query", {"sql": COUNT})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["success"] is True and body["count"] == 1 and list(body["data"][0].values()) == [2], body
    assert_hot_missing(body["partial"])
    assert "volume 'hot'" in r.headers["X-Homer-Partial"]
    # A volume's own catalog is a complete answer: no mark.
    r = node.post("/api/v4/node/query", {"sql": "SELECT count(*) FROM homer_lake_cold.main.hep_proto_1_call"})
    assert r.status_code == 200 and "partial" not in r.json() and "X-Homer-Partial" not in r.headers, r.text

    # Flight: the FlightInfo's schema and the streamed one carry the mark, for SQL and table scans.
    client, options = flight_client(node)
    info = client.get_flight_info(flight.FlightDescriptor.for_command(COUNT.encode()), options)
    assert_hot_missing(mark(info.schema))
    table = client.do_get(info.endpoints[0].ticket, options).read_all()
    assert table.column(0).to_pylist() == [2]
    assert_hot_missing(mark(table.schema))
    info = client.get_flight_info(flight.FlightDescriptor.for_path(*TABLE), options)
    scanned = [client.do_get(e.ticket, options).read_all() for e in info.endpoints]
    assert sorted(u for t in scanned for u in t.column("uuid").to_pylist()) == ["c1", "c2"]
    assert all(mark(t.schema) is not None for t in scanned)
    plain = client.do_get(client.get_flight_info(flight.FlightDescriptor.for_command(b"SELECT 1"), options)
                          .endpoints[0].ticket, options).read_all()
    assert mark(plain.schema) is None

    # DuckDB through the Airport extension: plain and time-travel scans answer from cold.
    duck = attach(airport_connection(), node.port, node.token)
    assert duck.execute("SELECT count(*) FROM homer.homer_lake.hep_proto_1_call").fetchall() == [(2,)]
    assert duck.execute("SELECT count(*) FROM homer.homer_lake.hep_proto_1_call AT (TIMESTAMP => now())"
                        ).fetchall() == [(2,)]
    duck.close()

    # Flight SQL through ADBC: the rows, and the mark on the result's schema.
    with node.adbc() as con, con.cursor() as cur:
        cur.execute(UUIDS)
        table = cur.fetch_arrow_table()
        assert table.column(0).to_pylist() == ["c1", "c2"]
        assert_hot_missing(mark(table.schema))
        assert_hot_missing(mark(cur.adbc_execute_schema(COUNT)))
        cur.execute(COUNT + " WHERE src_port > ?", (0,))  # a prepared statement with a parameter
        table = cur.fetch_arrow_table()
        assert table.column(0).to_pylist() == [2]
        assert_hot_missing(mark(table.schema))

    counts = partial_counts(node)
    assert counts.get("http", 0) >= 2 and counts.get("flight", 0) >= 2 and counts.get("flightsql", 0) >= 1, counts


def test_without_partial_answers_the_same_queries_fail_with_the_reason(hot_cold, node_factory):
    missing_hot(hot_cold)
    node = node_factory(hot_cold.volumes, refresh=1, flightsql={})
    for route in ("/api/v4/node/query", "/query"):
        r = node.post(route, {"sql": UUIDS})
        assert r.status_code == 503 and "volume 'hot' is not attached" in r.json()["error"], r.text
        assert "X-Homer-Partial" not in r.headers
    client, options = flight_client(node)
    info = client.get_flight_info(flight.FlightDescriptor.for_command(COUNT.encode()), options)
    assert mark(info.schema) is None
    with pytest.raises(flight.FlightUnavailableError, match="volume 'hot' is not attached"):
        client.do_get(info.endpoints[0].ticket, options).read_all()
    info = client.get_flight_info(flight.FlightDescriptor.for_path(*TABLE), options)
    with pytest.raises(flight.FlightUnavailableError, match="volume 'hot' is not attached"):
        for endpoint in info.endpoints:
            client.do_get(endpoint.ticket, options).read_all()
    with node.adbc() as con, con.cursor() as cur:
        with pytest.raises(Exception, match="volume 'hot' is not attached") as failed:
            cur.execute(COUNT)
            cur.fetch_arrow_table()
        assert "UNAVAILABLE" in str(failed.value) or "Unavailable" in str(failed.value), failed.value
    assert partial_counts(node) == {}
