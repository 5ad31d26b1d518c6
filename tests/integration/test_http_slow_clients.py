"""Slow and hostile HTTP clients never starve the API: trickled headers, trickled bodies and idle
connections wait in the front without a worker and are cut at their deadline (408); connections
beyond the caps are refused (429 per address, 503 in total); pipelined requests are all answered,
in order. Every refusal is counted in /metrics."""
import json
import socket
import threading
import time

import requests

from conftest import parse_metrics

THREADS = 4


def connect(node, source="127.0.0.1"):
    s = socket.create_connection(("127.0.0.1", node.port + 1), timeout=10, source_address=(source, 0))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def post_request(node, sql, path="/api/v4/node/query"):
    body = json.dumps({"sql": sql})
    return (f"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {node.token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n{body}").encode()


def read_response(f):
    """One response from a socket file: (status, headers, body); chunked or Content-Length."""
    status = int(f.readline().split()[1])
    headers = {}
    while (line := f.readline()) not in (b"\r\n", b""):
        name, value = line.decode().split(":", 1)
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding") == "chunked":
        body = b""
        while size := int(f.readline().split(b";")[0], 16):
            body += f.read(size)
            f.readline()
        f.readline()
    else:
        body = f.read(int(headers.get("content-length", 0)))
    return status, headers, body


class Trickler:
    """Connections that each send `prefix` and then one more byte every `every` seconds."""

    def __init__(self, node, count, prefix, every=0.5):
        self.sockets = [connect(node) for _ in range(count)]
        for s in self.sockets:
            s.sendall(prefix)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, args=(every,), daemon=True)
        self.thread.start()

    def run(self, every):
        while not self.stop.wait(every):
            for s in self.sockets:
                try:
                    s.send(b"x")
                except OSError:
                    pass

    def close(self):
        self.stop.set()
        self.thread.join()
        for s in self.sockets:
            s.close()


def assert_api_answers_quickly(node):
    for _ in range(3):
        start = time.time()
        assert requests.get(node.http + "/health", timeout=1).status_code == 200
        r = requests.post(node.http + "/api/v4/node/query", json={"sql": "SELECT 42 AS n"}, headers=node.headers(),
                          timeout=1)
        assert r.status_code == 200 and r.json()["data"] == [[42]], r.text
        assert time.time() - start < 1


def scrape(node):
    """The metrics, over a connection closed at once (it would count towards the caps)."""
    with connect(node) as s:
        s.sendall(f"GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {node.token}\r\n"
                  "Connection: close\r\n\r\n".encode())
        status, _, text = read_response(s.makefile("rb"))
        assert status == 200, text
    time.sleep(0.2)
    return parse_metrics(text.decode())[0]


def closed(samples, reason):
    return samples.get(("homer_http_connections_closed_total", (("reason", reason),)), 0)


def test_trickled_headers_bodies_and_idle_connections_leave_the_api_reachable(hot_cold, node_factory):
    node = node_factory(hot_cold.volumes, env={"HOMER_NODE_HTTP_THREADS": str(THREADS)})
    n = 3 * THREADS
    idle = [connect(node) for _ in range(n)]
    headers = Trickler(node, n, b"GET /health HTTP/1.1\r\nX-Slow: ")
    body = Trickler(node, n, b"POST /api/v4/node/query HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{")
    try:
        time.sleep(0.5)  # every connection is in and waiting
        assert_api_answers_quickly(node)
    finally:
        headers.close()
        body.close()
        for s in idle:
            s.close()


def test_a_slow_request_is_cut_at_its_deadline(hot_cold, node_factory):
    node = node_factory(hot_cold.volumes, env={"HOMER_NODE_HTTP_HEADER_TIMEOUT_SEC": "1",
                                               "HOMER_NODE_HTTP_BODY_TIMEOUT_SEC": "1"})
    before = scrape(node)
    slow_headers = Trickler(node, 1, b"GET /health HTTP/1.1\r\nX-Slow: ", every=0.2)
    slow_body = Trickler(node, 1, post_request(node, "SELECT 1")[:-3], every=10)
    try:
        for s in slow_headers.sockets + slow_body.sockets:
            start = time.time()
            status, _, answer = read_response(s.makefile("rb"))
            assert status == 408, answer
            assert "node.http." in json.loads(answer)["error"]
            assert time.time() - start < 3
    finally:
        slow_headers.close()
        slow_body.close()
    after = scrape(node)
    assert closed(after, "header_timeout") - closed(before, "header_timeout") == 1
    assert closed(after, "body_timeout") - closed(before, "body_timeout") == 1


def test_connections_beyond_the_caps_are_refused(hot_cold, node_factory):
    node = node_factory(hot_cold.volumes, env={"HOMER_NODE_HTTP_MAX_CONNECTIONS": "6",
                                               "HOMER_NODE_HTTP_MAX_CONNECTIONS_PER_IP": "4"})
    before = scrape(node)
    held = [connect(node) for _ in range(4)]
    time.sleep(0.2)
    with connect(node) as s:
        s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        status, _, answer = read_response(s.makefile("rb"))
        assert status == 429 and "max_connections_per_ip" in json.loads(answer)["error"]
    held += [connect(node, "127.0.0.2") for _ in range(2)]
    time.sleep(0.2)
    with connect(node, "127.0.0.3") as s:
        s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        status, _, answer = read_response(s.makefile("rb"))
        assert status == 503 and "max_connections" in json.loads(answer)["error"]
    for s in held:
        s.close()
    time.sleep(0.2)
    after = scrape(node)  # the held connections are gone: the scrape itself gets in
    assert closed(after, "too_many_from_ip") - closed(before, "too_many_from_ip") == 1
    assert closed(after, "too_many_connections") - closed(before, "too_many_connections") == 1


def test_pipelined_requests_are_answered_in_order(hot_cold, node_factory):
    node = node_factory(hot_cold.volumes)
    with connect(node) as s:
        s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n" + post_request(node, "SELECT 1 AS n") +
                  post_request(node, "SELECT 2 AS n", path="/query"))
        f = s.makefile("rb")
        status, _, answer = read_response(f)
        assert status == 200 and "status" in json.loads(answer)
        status, _, answer = read_response(f)
        assert status == 200 and json.loads(answer)["data"] == [[1]]
        status, _, answer = read_response(f)
        assert status == 200 and json.loads(answer)["data"] == [{"n": 2}]
        # The connection is still usable afterwards.
        s.sendall(post_request(node, "SELECT 3 AS n"))
        assert json.loads(read_response(f)[2])["data"] == [[3]]


def test_a_request_whose_body_was_not_read_does_not_become_the_next(hot_cold, node_factory):
    # A refused request's body (here: no token) is skipped, not parsed as the next request.
    node = node_factory(hot_cold.volumes)
    body = b'GET /health HTTP/1.1\r\nHost: x\r\n\r\n'
    with connect(node) as s:
        s.sendall(b"POST /api/v4/node/query HTTP/1.1\r\nHost: x\r\nContent-Length: " + str(len(body)).encode() +
                  b"\r\n\r\n" + body + b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        f = s.makefile("rb")
        assert read_response(f)[0] == 401
        assert read_response(f)[0] == 200
        s.settimeout(0.5)
        try:
            extra = s.recv(1)
        except socket.timeout:
            extra = b""
        assert extra == b"", "the body was answered as a request"
