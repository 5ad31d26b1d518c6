"""GET /metrics: the Prometheus text format, read by the real parser of prometheus-client, with
counts that follow what the surfaces did."""
import pyarrow.flight as flight

from conftest import parse_metrics


def scrape(node, **kw):
    r = node.get("/metrics", **kw)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return parse_metrics(r.text)


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0)


def test_metrics_count_what_the_surfaces_did(hot_cold, node_factory):
    vols = hot_cold.volumes + [{"name": "lost", "catalog_path": str(hot_cold.root / "lost.sqlite"),
                                "path": str(hot_cold.root / "lost") + "/"}]
    node = node_factory(vols, flightsql={}, query_timeout_sec=1)
    assert node.get("/metrics", headers={"Authorization": ""}).status_code == 401
    before, _ = scrape(node)
    hot = "SELECT count(*) FROM homer_lake_hot.main.hep_proto_1_call"
    assert node.rows("SELECT uuid FROM homer_lake_hot.main.hep_proto_1_call ORDER BY uuid") == [["h1"], ["h2"], ["h3"]]
    assert node.post("/api/v4/node/query", {"sql": "DROP TABLE x"}).status_code == 400
    assert node.post("/api/v4/node/query", {"sql": "SELECT nope FROM nowhere"}).status_code == 400
    assert node.post("/query", {"sql": "SELECT count(*) FROM range(1000000000000) a"}).status_code == 504
    client = flight.FlightClient(f"grpc://127.0.0.1:{node.port}")
    options = flight.FlightCallOptions(headers=[(b"authorization", f"Bearer {node.token}".encode())])
    info = client.get_flight_info(flight.FlightDescriptor.for_command(hot.encode()), options)
    assert client.do_get(info.endpoints[0].ticket, options).read_all().num_rows == 1
    with node.adbc() as conn, conn.cursor() as cur:
        cur.execute("SELECT * FROM homer_lake_cold.main.hep_proto_1_call")
        assert len(cur.fetchall()) == 2
    assert node.wait_until_idle()

    after, types = scrape(node)
    grew = lambda name, **labels: value(after, name, **labels) - value(before, name, **labels)  # noqa: E731
    assert grew("homer_queries_total", surface="http", outcome="ok") == 1
    assert grew("homer_queries_total", surface="http", outcome="refused") == 1
    assert grew("homer_queries_total", surface="http", outcome="error") == 1
    assert grew("homer_queries_total", surface="http", outcome="timeout") == 1
    assert grew("homer_queries_total", surface="flight", outcome="ok") == 1
    assert grew("homer_queries_total", surface="flightsql", outcome="ok") == 1
    assert grew("homer_query_rows_total", surface="flightsql") == 2
    assert grew("homer_query_duration_seconds_count", surface="http") == 2  # ok + timeout
    assert value(after, "homer_query_duration_seconds_bucket", surface="http", le="+Inf") >= 2
    assert grew("homer_files_read_total", volume="hot") >= 1  # the v4 query's profile
    assert value(after, "homer_queries_running") == 0
    assert value(after, "homer_queries_waiting") == 0
    assert value(after, "homer_volume_attached", volume="hot") == 1
    assert value(after, "homer_volume_attached", volume="lost") == 0
    assert value(after, "homer_volume_attach_failures_total", volume="lost") >= 1
    assert value(after, "homer_catalog_refreshes") >= 1
    assert types["homer_queries"] == "counter" and types["homer_query_duration_seconds"] == "histogram"
    assert types["homer_queries_running"] == "gauge"


def test_metrics_can_be_public(hot_cold, node_factory):
    node = node_factory(hot_cold.volumes, env={"HOMER_NODE_HTTP_METRICS_PUBLIC": "true"})
    scrape(node, headers={"Authorization": ""})
    assert node.get("/api/v4/node/stats", headers={"Authorization": ""}).status_code == 401
