"""catalog_type "postgres": a lake whose DuckLake catalog is a PostgreSQL database (a private
PostgreSQL 15 cluster, password login), written by an all-in-one homer-node from HEP and read by a
second, node-only process; the password never shows in logs, errors, stats or --check-config."""
import json
import subprocess
import time

import pyarrow.flight as flight
import pytest

from capture import capture_config, hep3, sip_request, sip_response, start_capture_node
from conftest import BINARY, free_port_pair, node_environment, start_node
from postgres_server import PostgresServer

CALLS = 150  # each an INVITE, its 200 and a BYE: 3 rows of hep_proto_1_call


@pytest.fixture(scope="module")
def pg():
    with PostgresServer() as server:
        yield server


def postgres_volume(pg, data_path, **keys):
    return {"name": "hot", "type": "local", "catalog_type": "postgres", "catalog_dsn": pg.dsn,
            "path": str(data_path) + "/", **keys}


def writer_config(tmp_path, pg, **storage):
    cfg = capture_config(tmp_path, free_port_pair(), free_port_pair(), free_port_pair(),
                         storage={"flush_interval_sec": 1, **storage})
    ducklake = cfg["storage"]["ducklake"]
    del ducklake["catalog_path"]
    ducklake.update({"catalog_type": "postgres", "catalog_dsn": pg.dsn})
    cfg["ingest"]["http"]["port"] = cfg["ingest"]["udp"]["port"] + 1
    return cfg


def check_config(path, env=None):
    return subprocess.run([str(BINARY), "--check-config", str(path)], capture_output=True, text=True, timeout=30,
                          env={**node_environment(), **(env or {})})


def test_a_writer_and_a_second_node_share_one_postgres_catalog(pg, tmp_path):
    cfg = writer_config(tmp_path, pg, catalog_password=pg.password)
    writer = start_capture_node(tmp_path, config=cfg, name="writer")
    reader = None
    try:
        packets = []
        for i in range(CALLS):
            call = f"pg-{i}@test"
            packets += [hep3(sip_request("INVITE", call)), hep3(sip_response(200, "OK", call)),
                        hep3(sip_request("BYE", call, cseq=2))]
        writer.send_tcp(packets)
        total = "SELECT count(*) FROM homer_lake.main.hep_proto_1_call"
        assert writer.wait_for(total, 3 * CALLS, seconds=20) == 3 * CALLS
        # The catalog really is in PostgreSQL: DuckLake's tables and the flushed files are there.
        deadline = time.time() + 20
        while time.time() < deadline and int(pg.psql("SELECT count(*) FROM ducklake_data_file") or 0) == 0:
            time.sleep(0.2)
        assert int(pg.psql("SELECT count(*) FROM ducklake_table WHERE table_name = 'hep_proto_1_call'")) == 1

        # A node-only process on the same catalog, its password from the environment.
        volume = postgres_volume(pg, tmp_path / "lake" / "data")
        reader = start_node(tmp_path, [volume], env={"HOMER_NODE_DUCKLAKE_VOLUMES_0_CATALOG_PASSWORD": pg.password})
        assert reader.wait_until_idle()
        by_method = "SELECT method, count(*) FROM homer_lake.main.hep_proto_1_call GROUP BY ALL ORDER BY 1"
        deadline = time.time() + 20  # the reader sees flushed rows only
        while time.time() < deadline and reader.rows(total)[0][0] != 3 * CALLS:
            time.sleep(0.2)
        assert reader.rows(total) == [[3 * CALLS]]
        assert reader.rows(by_method) == writer.rows(by_method) == [["200", CALLS], ["BYE", CALLS],
                                                                   ["INVITE", CALLS]]
        calls = "SELECT count(DISTINCT session_id) FROM homer_lake.main.hep_proto_1_call"
        assert reader.rows(calls) == writer.rows(calls) == [[CALLS]]
        # A Flight ticket of the writer's process, pinned to the catalog's snapshot, read by the other.
        options = flight.FlightCallOptions(headers=[(b"authorization", f"Bearer {writer.token}".encode())])
        info = flight.FlightClient(f"grpc://127.0.0.1:{writer.port}").get_flight_info(
            flight.FlightDescriptor.for_command(total.encode()), options)
        ticket = info.endpoints[0].ticket
        assert flight.FlightClient(f"grpc://127.0.0.1:{reader.port}").do_get(ticket, options).read_all().to_pylist() \
            == [{"count_star()": 3 * CALLS}]
        assert 'homer_pinned_queries_total{outcome="pinned"}' in reader.get("/metrics").text
        # A table scan plans its endpoints from DuckLake's statistics in the PostgreSQL catalog.
        scan = flight.FlightDescriptor.for_path("homer_lake", "main", "hep_proto_1_call")
        info = flight.FlightClient(f"grpc://127.0.0.1:{reader.port}").get_flight_info(scan, options)
        assert sum(flight.FlightClient(f"grpc://127.0.0.1:{reader.port}").do_get(e.ticket, options).read_all().num_rows
                   for e in info.endpoints) == 3 * CALLS

        # The sandbox refuses postgres_* table functions, on the catalog's own attachment too.
        for sql in ["SELECT * FROM postgres_query('__ducklake_metadata_homer_lake', 'SELECT 1')",
                    f"SELECT * FROM postgres_scan('{pg.dsn}', 'public', 'ducklake_snapshot')",
                    "SELECT * FROM postgres_scan_pushdown('x', 'public', 'ducklake_snapshot')"]:
            r = reader.post("/api/v4/node/query", {"sql": sql})
            assert r.status_code == 400 and "SQL validation failed" in r.text, (sql, r.status_code, r.text)

        # The password shows nowhere: logs, stats (with the DSN), --check-config.
        for node in (writer, reader):
            stats = node.get("/api/v4/node/stats")
            assert stats.status_code == 200 and pg.password not in stats.text
            assert pg.password not in node.log()
        assert "postgres:" + pg.dsn in reader.log()  # the catalog is named, without its password
        checked = check_config(cfg_path := tmp_path / "writer.json")
        assert checked.returncode == 0 and pg.password not in checked.stdout + checked.stderr, checked
        assert pg.password in cfg_path.read_text()  # (so the check above had something to leak)
    finally:
        if reader:
            reader.stop()
        writer.stop()
    assert pg.password not in writer.log() + reader.log()


def test_a_wrong_password_is_a_clear_startup_error_without_the_password(pg, tmp_path):
    wrong = "Wrong-Pa55word-777"
    (tmp_path / "data").mkdir()
    with pytest.raises(RuntimeError) as failed:
        start_node(tmp_path, [postgres_volume(pg, tmp_path / "data", catalog_password=wrong)])
    log = str(failed.value)
    assert "no volume could be attached" in log and "volume 'hot' (catalog postgres:" + pg.dsn in log, log
    assert "password authentication failed" in log and "Fix: check catalog_password" in log, log
    assert wrong not in log

    # The writer too: it does not start, and says why.
    cfg = writer_config(tmp_path, pg, catalog_password=wrong)
    path = tmp_path / "bad-writer.json"
    path.write_text(json.dumps(cfg))
    done = subprocess.run([str(BINARY), "--config", str(path)], capture_output=True, text=True, timeout=60,
                          env=node_environment())
    out = done.stdout + done.stderr
    assert done.returncode != 0 and "password authentication failed" in out and wrong not in out, out


def test_check_config_refuses_a_password_in_the_dsn_without_echoing_it(pg, tmp_path):
    cfg = writer_config(tmp_path, pg)
    cfg["storage"]["ducklake"]["catalog_dsn"] = pg.dsn + " password=" + pg.password
    path = tmp_path / "dsn-password.json"
    path.write_text(json.dumps(cfg))
    checked = check_config(path)
    out = checked.stdout + checked.stderr
    assert checked.returncode != 0 and "$.storage.ducklake.catalog_dsn: must not hold a password" in out, out
    assert "HOMER_STORAGE_DUCKLAKE_CATALOG_PASSWORD" in out and pg.password not in out, out
