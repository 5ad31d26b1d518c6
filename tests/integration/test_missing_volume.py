"""A volume that is not attached never silently shrinks the merged lake: merged queries fail with
the reason (HTTP 503, Flight UNAVAILABLE) unless a filter on storage_volume leaves the volume out,
and the node attaches it as soon as it can (retried at every catalog refresh)."""
import os
import time

import pyarrow.flight as flight
import pytest

from airport_duckdb import airport_connection, attach

COUNT = "SELECT count(*) FROM homer_lake.main.hep_proto_1_call"


def test_a_missing_volume_fails_merged_queries_until_it_is_back(hot_cold, node_factory):
    catalog = hot_cold.volumes[0]["catalog_path"]  # the hot volume's
    os.rename(catalog, catalog + ".away")
    node = node_factory(hot_cold.volumes, refresh=1)
    hot = [v for v in node.get("/api/v4/node/stats").json()["volume_status"] if v["name"] == "hot"][0]
    assert hot["attached"] is False and "does not exist" in hot["error"]

    # Every way of reading the merged table fails with the reason, filters on data columns too:
    # the branch of the missing volume must not be pruned away by them.
    for sql in (COUNT, COUNT + " WHERE method = 'INVITE'", COUNT + " WHERE src_port IS NULL",
                "SELECT uuid FROM homer_lake.main.hep_proto_1_call ORDER BY uuid LIMIT 1"):
        for route in ("/api/v4/node/query", "/query"):
            r = node.post(route, {"sql": sql})
            assert r.status_code == 503, (sql, r.text)
            assert "volume 'hot' is not attached" in r.json()["error"], r.text
    r = node.post("/api/v4/node/query", {"sql": "SELECT count(*) FROM homer_lake_hot.main.hep_proto_1_call"})
    assert r.status_code == 503 and "volume 'hot' is not attached" in r.json()["error"], r.text
    client = flight.FlightClient(f"grpc://127.0.0.1:{node.port}")
    options = flight.FlightCallOptions(headers=[(b"authorization", f"Bearer {node.token}".encode())])
    info = client.get_flight_info(flight.FlightDescriptor.for_command(COUNT.encode()), options)
    with pytest.raises(flight.FlightUnavailableError, match="volume 'hot' is not attached"):
        client.do_get(info.endpoints[0].ticket, options).read_all()

    # DuckDB through the real Airport extension: plain and time-travel scans of the merged lake
    # (time travel builds its own union past the views) fail with the reason as well.
    duck = attach(airport_connection(), node.port, node.token)
    for sql in ("SELECT count(*) FROM homer.homer_lake.hep_proto_1_call",
                "SELECT count(*) FROM homer.homer_lake.hep_proto_1_call AT (TIMESTAMP => now())"):
        with pytest.raises(Exception, match="volume 'hot' is not attached"):
            duck.execute(sql).fetchall()
    duck.close()

    # Asking for the other volumes only is an answer the client chose.
    assert node.rows(COUNT + " WHERE storage_volume = 'cold'") == [[2]]

    # Back in place: attached at the next refresh, and the merged lake is whole again.
    version = node.get("/api/v4/node/stats").json()["catalog_version"]
    os.rename(catalog + ".away", catalog)
    deadline = time.time() + 15
    while time.time() < deadline and node.post("/api/v4/node/query", {"sql": COUNT}).status_code != 200:
        time.sleep(0.2)
    assert node.rows(COUNT) == [[5]]
    assert node.rows("SELECT count(*) FROM homer_lake_hot.main.hep_proto_1_call") == [[3]]
    stats = node.get("/api/v4/node/stats").json()
    assert [v["attached"] for v in stats["volume_status"]] == [True, True]
    assert stats["catalog_version"] > version
    assert "volume 'hot' attached as homer_lake_hot on a retry" in node.log()
    assert client.do_get(info.endpoints[0].ticket, options).read_all().column(0).to_pylist() == [5]
