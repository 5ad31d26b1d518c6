"""Every HTTP route, its shape, auth and error statuses, against a real node on a real lake."""
import base64
import json
import socket
import time
from datetime import datetime, timezone

import requests


def test_v4_query_columns_and_rows(hot_cold, node_factory):
    node = node_factory(hot_cold.volumes)
    body = node.query("SELECT uuid, storage_volume FROM homer_lake.main.hep_proto_1_call ORDER BY uuid")
    assert body["columns"] == ["uuid", "storage_volume"]
    assert body["data"] == [["c1", "cold"], ["c2", "cold"], ["h1", "hot"], ["h2", "hot"], ["h3", "hot"]]
    assert body["stats"]["rows"] == 5
    assert body["stats"]["files_read"]["hot"] >= 1 and body["stats"]["files_read"]["cold"] >= 1
    # A time range that only the hot volume holds: DuckLake's statistics prune every cold file.
    recent = node.query("SELECT count(*) FROM homer_lake.main.hep_proto_1_call WHERE timestamp >= '2026-11-20'")
    assert recent["data"] == [[3]]
    assert recent["stats"]["files_read"]["cold"] == 0 and recent["stats"]["files_read"]["hot"] >= 1


def test_json_is_faithful(hot_cold, node_factory):
    node = node_factory(hot_cold.volumes)
    row = node.rows("SELECT timestamp, date, src_port, data_extra FROM homer_lake.main.hep_proto_1_call "
                    "WHERE uuid = 'h3'")[0]
    assert row == ["2026-11-26T09:00:00.123456", "2026-11-26", 4294967295, [1, 2]]
    row = node.rows("SELECT 18446744073709551615::UBIGINT, (-9223372036854775808)::BIGINT, "
                    "170141183460469231731687303715884105727::HUGEINT, NULL::INTEGER, "
                    "'\\x00\\xff'::BLOB, 12.50::DECIMAL(10,2), '{\"k\": [true, null]}'::JSON, [1, NULL], "
                    "{'a': 'x'}, TIMESTAMPTZ '2026-01-02 03:04:05+00', 'quote\"\\n'")[0]
    raw = node.post("/api/v4/node/query", {"sql": "SELECT 18446744073709551615::UBIGINT AS u"}).text
    assert "18446744073709551615" in raw  # exact digits on the wire, not a rounded double
    assert row[0] == 18446744073709551615
    assert row[1] == -9223372036854775808
    assert row[2] == 170141183460469231731687303715884105727
    assert row[3] is None
    assert base64.b64decode(row[4]) == b"\x00\xff"
    assert row[5] == 12.5
    assert row[6] == {"k": [True, None]}
    assert row[7] == [1, None]
    assert row[8] == {"a": "x"}
    assert row[9].startswith("2026-01-02T03:04:05") and row[9].endswith("Z")
    assert row[10] == 'quote"\\n'


def test_legacy_query_shape(hot_cold, node_factory):
    node = node_factory(hot_cold.volumes)
    r = node.post("/query", {"sql": "SELECT uuid, src_port FROM homer_lake.main.hep_proto_1_call "
                                    "WHERE storage_volume = 'cold' ORDER BY uuid"})
    assert r.status_code == 200, r.text
    assert r.json() == {"success": True, "data": [{"uuid": "c1", "src_port": 5061}, {"uuid": "c2", "src_port": 5061}],
                        "count": 2}


def test_health_is_open_and_shaped(hot_cold, node_factory):
    node = node_factory(hot_cold.volumes)
    r = requests.get(node.http + "/health", timeout=10)
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "module": "node"}


def test_node_stats(hot_cold, node_factory):
    node = node_factory(hot_cold.volumes)
    stats = node.get("/api/v4/node/stats").json()
    assert stats["running"] is True
    assert stats["address"] == f"127.0.0.1:{node.port}"
    assert stats["volumes_count"] == 2
    assert stats["volumes"] == ["hot", "cold"]
    assert all(v["attached"] for v in stats["volume_status"])


def test_metadata_stats(hot_cold, node_factory):
    node = node_factory(hot_cold.volumes)
    stats = node.get("/metadata/stats").json()
    # Over every hep_proto_% table of every volume, in nanoseconds.
    lo = datetime(2026, 10, 31, 23, 59, 59, tzinfo=timezone.utc)  # hep_proto_100_default, cold only
    hi = datetime(2026, 11, 26, 9, 0, 0, tzinfo=timezone.utc)
    assert stats["min_ts"] == int(lo.timestamp()) * 10**9
    assert stats["max_ts"] == int(hi.timestamp()) * 10**9 + 123456000


def test_auth_rules(hot_cold, node_factory):
    node = node_factory(hot_cold.volumes, token="s3cr3t")
    body = {"sql": "SELECT 1"}
    for path, method in [("/api/v4/node/query", "post"), ("/query", "post"), ("/api/v4/node/stats", "get"),
                         ("/metadata/stats", "get"), ("/vacuum", "post"), ("/api/v4/node/vacuum", "post")]:
        for headers in [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cr3t"},
                        {"Authorization": "Basic s3cr3t"}, {"Authorization": "Bearer s3cr3t0"}]:
            r = getattr(requests, method)(node.http + path, json=body, headers=headers, timeout=10)
            assert r.status_code == 401, (path, headers, r.status_code)
            assert r.text == "Unauthorized"
    # Scheme case-insensitive, value trimmed.
    for value in ["Bearer s3cr3t", "bearer s3cr3t", "BEARER   s3cr3t  "]:
        r = requests.post(node.http + "/api/v4/node/query", json=body, headers={"Authorization": value}, timeout=10)
        assert r.status_code == 200, (value, r.text)


def test_bad_requests_get_json_errors(hot_cold, node_factory):
    node = node_factory(hot_cold.volumes)
    url = node.http + "/api/v4/node/query"
    h = node.headers()
    cases = [
        (requests.post(url, data="{not json", headers=h), 400, "not valid JSON"),
        (requests.post(url, json={"query": "SELECT 1"}, headers=h), 400, "missing \"sql\""),
        (requests.post(url, json={"sql": 42}, headers=h), 400, "must be a string"),
        (requests.post(url, json={"sql": "  "}, headers=h), 400, "empty"),
        (requests.post(url, json={"sql": "SELECT * FROM homer_lake.main.nope"}, headers=h), 400, "nope"),
        (requests.post(url, json={"sql": "SELEC 1"}, headers=h), 400, "syntax error"),
        (requests.post(url, json={"sql": "DROP TABLE homer_lake_hot.main.hep_proto_1_call"}, headers=h), 400,
         "SQL validation failed"),
        (requests.post(url, json={"sql": "SELECT 1; SELECT 2"}, headers=h), 400, "exactly one statement"),
        (requests.post(url, json={"sql": "SELECT 1/0::INTEGER + 'x'::INTEGER"}, headers=h), 400, "Conversion"),
        (requests.get(url, headers=h), 405, "not allowed"),
        (requests.get(node.http + "/no/such/route", headers=h), 404, "no route"),
        (requests.post(url, data="x" * (2 * 1024 * 1024), headers=h), 413, "max_body_bytes"),
    ]
    for r, status, text in cases:
        assert r.status_code == status, (r.status_code, r.text)
        assert text in r.json()["error"], r.text
    legacy = requests.post(node.http + "/query", json={"sql": "DELETE FROM x"}, headers=h)
    assert legacy.status_code == 400
    assert legacy.json()["success"] is False
    assert legacy.json()["error"].startswith("SQL validation failed")


def test_failed_query_mid_stream_is_never_a_clean_200(hot_cold, node_factory):
    node = node_factory(hot_cold.volumes)
    # The error is raised after many rows were produced; the response must not look complete.
    sql = ("SELECT CASE WHEN i < 300000 THEN i ELSE error('boom at ' || i) END AS v "
           "FROM range(400000) t(i)")
    try:
        r = node.post("/api/v4/node/query", {"sql": sql})
        if r.status_code == 200:
            try:
                json.loads(r.text)
                ok_json = True
            except ValueError:
                ok_json = False
            assert not ok_json, "a failed query produced a complete 200 body"
        else:
            assert "boom" in r.json()["error"]
    except requests.exceptions.ChunkedEncodingError:
        pass  # truncated stream: the client sees the failure


def test_timeout_returns_504(hot_cold, node_factory):
    node = node_factory(hot_cold.volumes, query_timeout_sec=1)
    r = node.post("/api/v4/node/query", {"sql": "SELECT count(*) FROM range(1000000000000)"})
    assert r.status_code == 504, r.text
    assert "timeout" in r.json()["error"]


def test_vacuum_routes(hot_cold, node_factory):
    node = node_factory(hot_cold.volumes)
    r = node.post("/api/v4/node/vacuum", {"expire_older_than": "1 hour"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["success"] is True
    assert body["expire_older_than"] == "01:00:00"
    steps = {(s["volume"], s["step"]) for s in body["steps"]}
    for vol in ["hot", "cold"]:
        for step in ["ducklake_expire_snapshots", "ducklake_merge_adjacent_files", "ducklake_cleanup_old_files",
                     "ducklake_delete_orphaned_files", "remove_empty_directories"]:
            assert (vol, step) in steps
    r = node.post("/vacuum?expire_older_than=2%20days")
    assert r.status_code == 200, r.text
    assert r.json()["expire_older_than"] == "2 days"
    # Validated as an interval, never spliced into SQL.
    for bad in ["1 hour'); DROP TABLE x; --", "soon", ""]:
        r = node.post("/api/v4/node/vacuum", {"expire_older_than": bad})
        assert r.status_code == 400, r.text
        assert "not an interval" in r.json()["error"]
    r = node.post("/api/v4/node/vacuum", {"expire_older_than": 7})
    assert r.status_code == 400
    # The data is intact after vacuuming.
    assert node.rows("SELECT count(*) FROM homer_lake.main.hep_proto_1_call") == [[5]]


def test_client_disconnect_stops_the_query(hot_cold, node_factory):
    node = node_factory(hot_cold.volumes)
    body = json.dumps({"sql": "SELECT * FROM range(10000000000) t(i)"})
    s = socket.create_connection(("127.0.0.1", node.port + 1))
    s.sendall((f"POST /api/v4/node/query HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {node.token}\r\n"
               f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n{body}").encode())
    assert s.recv(65536).startswith(b"HTTP/1.1 200")
    s.close()
    deadline = time.time() + 15
    while time.time() < deadline:
        if node.get("/api/v4/node/stats").json()["queries_running"] == 0:
            break
        time.sleep(0.2)
    assert node.get("/api/v4/node/stats").json()["queries_running"] == 0


def test_client_disconnect_stops_a_query_before_its_first_row(hot_cold, node_factory):
    # An endless aggregate has no output to write: only watching the socket notices the client
    # leaving. Several such clients at once must not hold the API until the query timeout.
    node = node_factory(hot_cold.volumes, query_timeout_sec=300)
    body = json.dumps({"sql": "SELECT count(*) FROM range(1000000000000) a"})
    request = (f"POST /query HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {node.token}\r\n"
               f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n{body}").encode()
    clients = [socket.create_connection(("127.0.0.1", node.port + 1)) for _ in range(6)]
    for s in clients:
        s.sendall(request)
    deadline = time.time() + 10
    while node.queries_running() < 6 and time.time() < deadline:
        time.sleep(0.05)
    assert node.queries_running() == 6
    for s in clients:
        s.close()
    assert node.wait_until_idle(5), "queries kept running after their clients closed the connection"
    assert node.rows("SELECT 1") == [[1]]
