"""Large results stream with bounded memory; queries run in parallel."""
import json
import threading
import time

import requests

from conftest import memory_growth_bound, sampled_peak


def test_large_result_streams_with_bounded_memory(hot_cold, node_factory):
    node = node_factory(hot_cold.volumes)
    rows = 3_000_000
    base = node.rss_bytes()
    with sampled_peak(node.rss_bytes, every=0.05) as peak:
        r = requests.post(node.http + "/api/v4/node/query", headers=node.headers(), stream=True, timeout=300,
                          json={"sql": f"SELECT i, 'row-' || i AS s, i * 0.5 AS d FROM range({rows}) t(i)"})
        assert r.status_code == 200
        assert r.headers.get("Transfer-Encoding") == "chunked"
        size = 0
        chunks = []
        for chunk in r.iter_content(chunk_size=1 << 20):
            size += len(chunk)
            chunks.append(chunk)
    body = json.loads(b"".join(chunks))
    assert len(body["data"]) == rows
    assert body["data"][-1] == [rows - 1, f"row-{rows - 1}", (rows - 1) * 0.5]
    # ~100 MB of JSON left the server; it must not have held it.
    assert size > 80 * 1024 * 1024
    bound = memory_growth_bound(200 * 1024 * 1024)
    assert bound is None or peak[0] - base < bound, (base, peak[0])


def test_queries_do_not_wait_for_each_other(hot_cold, node_factory):
    node = node_factory(hot_cold.volumes, query_timeout_sec=20)
    slow_status = []

    def slow():
        r = node.post("/api/v4/node/query", {"sql": "SELECT count(*) FROM range(1000000000000)"})
        slow_status.append(r.status_code)

    threads = [threading.Thread(target=slow) for _ in range(2)]
    for t in threads:
        t.start()
    time.sleep(1)
    start = time.time()
    for _ in range(5):
        assert node.rows("SELECT count(*) FROM homer_lake.main.hep_proto_1_call") == [[5]]
    assert time.time() - start < 5, "small queries waited for the slow ones"
    running = node.get("/api/v4/node/stats").json()["queries_running"]
    assert running == 2
    for t in threads:
        t.join()
    assert slow_status == [504, 504]
