"""An external DuckLake writer whose SQLite catalog keeps SQLite's default rollback journal (the way
DuckDB creates it) commits under any query load: the node reads private copies of the catalogs
(node.ducklake.mirror_catalogs), so its queries never hold the live file's read lock. Before the
copies, 16 querying clients made 38 of 38 such commits fail with "database is locked"."""
import sqlite3
import threading
import time

CLIENTS = 16
COMMITS = 40


def journal_mode(path):
    con = sqlite3.connect(path)
    try:
        return con.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        con.close()


def test_a_rollback_journal_writer_commits_under_16_querying_clients(lake, node_factory):
    vol = lake.volume("hot")
    w = lake.writer(vol)
    w.execute("CREATE TABLE w.calls (id BIGINT, payload VARCHAR)")
    # Enough rows that every query reads the catalog and files for a while.
    w.execute("INSERT INTO w.calls SELECT i, repeat('x', 200) FROM range(400000) t(i)")
    assert journal_mode(vol["catalog_path"]) == "delete"
    node = node_factory([vol], refresh=1, max_concurrent_queries=CLIENTS)

    stop = threading.Event()
    answered, failures = [0], []

    def client():
        while not stop.is_set():
            r = node.post("/api/v4/node/query",
                          {"sql": "SELECT count(*), sum(hash(payload)) FROM homer_lake.main.calls"})
            if r.status_code == 200:
                answered[0] += 1
            else:
                failures.append(r.text)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    refused = []
    try:
        time.sleep(1)  # every client mid-query
        for i in range(COMMITS):
            try:
                w.execute(f"INSERT INTO w.calls VALUES ({1_000_000 + i}, 'late')")
            except Exception as e:  # noqa: BLE001 - the failure is what is counted
                refused.append(str(e))
            time.sleep(0.05)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
        w.close()
    assert refused == [], f"{len(refused)} of {COMMITS} commits failed, e.g. {refused[:1]}"
    assert failures == [] and answered[0] > CLIENTS, (answered, failures[:1])
    # The node reads every commit soon after (the copy is refreshed every 100 ms).
    deadline = time.time() + 5
    while node.rows("SELECT count(*) FROM homer_lake.main.calls") != [[400000 + COMMITS]] and time.time() < deadline:
        time.sleep(0.1)
    assert node.rows("SELECT count(*) FROM homer_lake.main.calls") == [[400000 + COMMITS]]
    # The node never switched the writer's journal or wrote the catalog.
    assert journal_mode(vol["catalog_path"]) == "delete"
    metrics = node.get("/metrics").text
    assert 'homer_catalog_mirror_total{volume="hot",step="publish",outcome="ok"}' in metrics
