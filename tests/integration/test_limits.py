"""Bounds a careless or hostile client meets at the door: request framing checked before a body
is read, routes not enumerable without the token, SQL text taken as sent, files outside the
lake's Parquet not readable, spill capped."""
import json
import socket
import subprocess
import time

import pyarrow as pa
import pyarrow.flight as flight
import pytest

from conftest import BINARY, write_config


def exchange(node, request, limit=5.0):
    """Send raw bytes to the HTTP port; return (seconds until the whole answer, status line, body)."""
    start = time.time()
    with socket.create_connection(("127.0.0.1", node.port + 1), timeout=limit) as s:
        s.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data:
            data += s.recv(65536)
        head, body = data.split(b"\r\n\r\n", 1)
        length = int([h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length:")][0].split(b":")[1])
        while len(body) < length:
            body += s.recv(65536)
    return time.time() - start, head.split(b"\r\n")[0].decode(), body.decode()


def test_routes_are_not_enumerable_without_the_token(hot_cold, node_factory):
    node = node_factory(hot_cold.volumes)
    assert node.get("/no/such/route", headers={"Authorization": ""}).status_code == 401
    assert node.get("/api/v4/node/stats", headers={"Authorization": ""}).status_code == 401
    assert node.get("/no/such/route").status_code == 404  # with the token: the route is unknown
    assert node.get("/health", headers={"Authorization": ""}).status_code == 200


@pytest.mark.parametrize("length, status, reason", [
    (b"99999999999", "413", "larger than node.http.max_body_bytes"),
    (b"-5", "400", "is not a byte count"),
    (b"12abc", "400", "is not a byte count"),
])
def test_content_length_is_checked_before_the_body_is_read(hot_cold, node_factory, length, status, reason):
    node = node_factory(hot_cold.volumes)
    request = (b"POST /api/v4/node/query HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + node.token.encode() +
               b"\r\nContent-Length: " + length + b"\r\n\r\n{}")
    seconds, status_line, body = exchange(node, request)
    assert status_line.split()[1] == status, (status_line, body)
    assert reason in body
    assert seconds < 2, f"answered after {seconds:.1f} s"


def test_an_http_1_0_client_gets_a_plain_body_that_ends_with_the_connection(hot_cold, node_factory):
    node = node_factory(hot_cold.volumes)
    body = b'{"sql": "SELECT range AS n FROM range(5000)"}'
    request = (b"POST /api/v4/node/query HTTP/1.0\r\nAuthorization: Bearer " + node.token.encode() +
               b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    with socket.create_connection(("127.0.0.1", node.port + 1), timeout=10) as s:
        s.sendall(request)
        data = b""
        while chunk := s.recv(65536):  # the server closes the connection at the end of the body
            data += chunk
    head, payload = data.split(b"\r\n\r\n", 1)
    assert head.split(b"\r\n")[0].split()[1] == b"200"
    assert b"transfer-encoding" not in head.lower(), head
    doc = json.loads(payload)
    assert [row[0] for row in doc["data"]] == list(range(5000))


def test_a_nul_in_the_sql_is_refused_on_every_surface(hot_cold, node_factory):
    node = node_factory(hot_cold.volumes)
    for route in ("/api/v4/node/query", "/query"):
        r = node.post(route, {"sql": "SELECT 1\u0000; DROP TABLE x"})
        assert r.status_code == 400, r.text
        assert "NUL character at byte 8" in r.json()["error"]
    client = flight.FlightClient(f"grpc://127.0.0.1:{node.port}")
    options = flight.FlightCallOptions(headers=[(b"authorization", f"Bearer {node.token}".encode())])
    with pytest.raises(pa.ArrowInvalid, match="NUL character at byte 8"):  # INVALID_ARGUMENT
        client.get_flight_info(flight.FlightDescriptor.for_command(b"SELECT 1\x00 AS x"), options)


def test_only_the_lakes_parquet_is_readable(hot_cold, node_factory):
    node = node_factory(hot_cold.volumes)
    catalog = hot_cold.volumes[0]["catalog_path"]
    spill = str(hot_cold.root / ".duckdb_spill")
    for sql in (f"SELECT * FROM read_blob('{catalog}')", f"SELECT * FROM read_text('{catalog}')",
                f"SELECT * FROM read_csv('{catalog}')", f"SELECT * FROM read_json('{catalog}')",
                f"SELECT * FROM read_blob('{spill}/*')"):
        r = node.post("/api/v4/node/query", {"sql": sql})
        assert r.status_code == 400, (sql, r.text)
        assert "is not allowed" in r.json()["error"], r.text
    r = node.post("/api/v4/node/query", {"sql": f"SELECT * FROM read_parquet('{catalog}')"})
    assert r.status_code == 400 and "SQLite" not in r.text


def test_spill_is_capped(hot_cold, node_factory):
    # DuckDB enforces the cap (a query needing more spill fails with Out of Memory); the node's
    # part is to set it, by default far below DuckDB's own default of 90% of the free disk.
    setting = "SELECT current_setting('max_temp_directory_size') AS v"
    assert node_factory(hot_cold.volumes).rows(setting) == [["9.3 GiB"]]
    assert node_factory(hot_cold.volumes, max_temp_directory_size="1MB").rows(setting) == [["976.5 KiB"]]


@pytest.mark.parametrize("key", ["max_temp_directory_size", "memory_limit"])
def test_sizes_are_validated(hot_cold, tmp_path, key):
    path = tmp_path / "bad.json"
    write_config(path, hot_cold.volumes, 50000, **{key: "lots"})
    result = subprocess.run([str(BINARY), "--check-config", str(path)], capture_output=True, text=True)
    assert result.returncode == 1
    assert f"$.node.ducklake.{key}: 'lots' is not a size" in result.stderr
