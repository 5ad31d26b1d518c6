"""Hot local + cold S3 (a real S3-compatible server on loopback): one merged lake, proven
pruning, and faults of the cold tier."""
import time

import pytest

from conftest import writer_connection
from s3_server import S3Server

DDL = ("CREATE TABLE {a}.hep_proto_1_call (uuid VARCHAR, date DATE, timestamp TIMESTAMP, session_id VARCHAR, "
       "src_port UINTEGER, method VARCHAR)")


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    server = S3Server(tmp_path_factory.mktemp("s3"))
    yield server
    server.stop()


def write(vol, s3, statements):
    """The external writer (Python duckdb + ducklake), laid out as HOMER's tiered writer does."""
    con = writer_connection()
    if vol["type"] == "s3":
        con.execute(s3.secret_sql(vol["path"]))
    con.execute(f"ATTACH 'ducklake:sqlite:{vol['catalog_path']}' AS w (DATA_PATH '{vol['path']}', "
                f"DATA_INLINING_ROW_LIMIT 0)")
    for sql in statements:
        con.execute(sql)
    con.close()


@pytest.fixture
def tiered(tmp_path, s3):
    bucket = f"cold-{tmp_path.name.lower().replace('_', '-')}"[:60]
    s3.create_bucket(bucket)
    s3.proxy.down()
    s3.proxy.up()
    hot = {"name": "hot", "type": "local", "catalog_path": str(tmp_path / "homer_lake.sqlite"),
           "path": str(tmp_path / "hot") + "/"}
    cold = s3.volume(tmp_path, "cold", bucket)
    cold["catalog_path"] = str(tmp_path / "homer_lake_cold.sqlite")
    (tmp_path / "hot").mkdir()
    write(hot, s3, [DDL.format(a="w"), "ALTER TABLE w.hep_proto_1_call SET PARTITIONED BY (date)",
                    "INSERT INTO w.hep_proto_1_call SELECT 'h' || i, DATE '2026-11-25', "
                    "TIMESTAMP '2026-11-25' + INTERVAL (i) SECOND, 's' || (i % 7), 5060, 'INVITE' FROM range(1000) t(i)",
                    "CREATE TABLE w.hot_only (x INTEGER)", "INSERT INTO w.hot_only VALUES (1)"])
    write(cold, s3, [DDL.format(a="w"), "ALTER TABLE w.hep_proto_1_call SET PARTITIONED BY (date)",
                     "INSERT INTO w.hep_proto_1_call SELECT 'c' || i, DATE '2026-10-01' + (i % 3)::INTEGER, "
                     "TIMESTAMP '2026-10-01' + INTERVAL (i) MINUTE, 's' || (i % 5), 5061, 'BYE' FROM range(3000) t(i)",
                     "ALTER TABLE w.hep_proto_1_call ADD COLUMN user_agent VARCHAR",
                     "INSERT INTO w.hep_proto_1_call (uuid, date, timestamp, user_agent) VALUES "
                     "('c-ua', '2026-10-05', '2026-10-05 12:00:00', 'Yealink')"])
    return {"hot": hot, "cold": cold, "bucket": bucket, "s3": s3}


def test_merged_lake_over_hot_and_s3_cold(tiered, node_factory):
    node = node_factory([tiered["hot"], tiered["cold"]])
    assert node.rows("SELECT storage_volume, storage_lake, count(*) FROM homer_lake.main.hep_proto_1_call "
                     "GROUP BY ALL ORDER BY 1") == [["cold", "homer_lake_cold", 3001], ["hot", "homer_lake_hot", 1000]]
    # Column added later in one volume: merged by name.
    assert node.rows("SELECT uuid, user_agent FROM homer_lake.main.hep_proto_1_call WHERE user_agent IS NOT NULL") == \
        [["c-ua", "Yealink"]]
    # Joins, CTEs, subqueries, quoted identifiers, aliases, several references, a hot-only table.
    assert node.rows(
        'WITH s AS (SELECT session_id, count(*) n FROM "homer_lake"."main"."hep_proto_1_call" c GROUP BY ALL) '
        "SELECT count(*) FROM s JOIN homer_lake.main.hep_proto_1_call AS k ON k.session_id = s.session_id "
        "WHERE k.uuid IN (SELECT uuid FROM homer_lake.main.hep_proto_1_call WHERE storage_volume = 'hot') "
        "AND EXISTS (SELECT 1 FROM homer_lake.main.hot_only)") == [[1000]]
    assert node.rows("SELECT count(*) FROM homer_lake_cold.main.hep_proto_1_call") == [[3001]]


def test_hot_time_range_reads_no_cold_file_even_with_s3_down(tiered, node_factory):
    node = node_factory([tiered["hot"], tiered["cold"]])
    sql = "SELECT count(*) FROM homer_lake.main.hep_proto_1_call WHERE timestamp >= TIMESTAMP '2026-11-20'"
    body = node.query(sql)
    assert body["data"] == [[1000]]
    assert body["stats"]["files_read"] == {"cold": 0, "hot": 1}
    tiered["s3"].proxy.down()
    try:
        body = node.query(sql)
        assert body["data"] == [[1000]]
        assert body["stats"]["files_read"]["cold"] == 0
        # A filter on storage_volume skips the cold volume entirely, too.
        assert node.query("SELECT count(*) FROM homer_lake.main.hep_proto_1_call WHERE storage_volume = 'hot'"
                          )["data"] == [[1000]]
    finally:
        tiered["s3"].proxy.up()


def test_cold_outage_names_the_volume_and_recovers(tiered, node_factory):
    node = node_factory([tiered["hot"], tiered["cold"]])
    s3 = tiered["s3"]
    s3.proxy.down()
    try:
        r = node.post("/api/v4/node/query", {"sql": "SELECT count(*), max(uuid) FROM homer_lake.main.hep_proto_1_call"})
        assert r.status_code == 503, r.text
        err = r.json()["error"]
        assert "volume 'cold'" in err and s3.endpoint in err, err
        assert s3.secret_key not in err and s3.access_key not in err
        assert s3.secret_key not in node.log() and s3.access_key not in node.log()
        # Hot data keeps flowing meanwhile.
        assert node.rows("SELECT count(*) FROM homer_lake.main.hep_proto_1_call WHERE storage_volume = 'hot'") == [[1000]]
    finally:
        s3.proxy.up()
    deadline = time.time() + 30
    while True:
        r = node.post("/api/v4/node/query", {"sql": "SELECT count(*) FROM homer_lake.main.hep_proto_1_call"})
        if r.status_code == 200 or time.time() > deadline:
            break
        time.sleep(1)
    assert r.status_code == 200, r.text
    assert r.json()["data"] == [[4001]]


@pytest.mark.parametrize("fault,hint", [
    ({"s3_secret_access_key": "wrong-secret"}, "s3_secret_access_key"),
    ({"path": "s3://no-such-bucket-homer/lake/"}, "bucket"),
])
def test_misconfigured_cold_volume_names_the_fix(tiered, node_factory, fault, hint):
    cold = dict(tiered["cold"], **fault)
    if "path" in fault:
        cold["override_data_path"] = True
    node = node_factory([tiered["hot"], cold])
    r = node.post("/api/v4/node/query", {"sql": "SELECT count(*) FROM homer_lake.main.hep_proto_1_call "
                                                "WHERE storage_volume = 'cold'"})
    assert r.status_code in (400, 503), r.text
    err = r.json()["error"]
    assert "volume 'cold'" in err and hint in err, err
    assert "wrong-secret" not in err and tiered["s3"].secret_key not in err
    assert "wrong-secret" not in node.log()
    # The hot tier is unaffected.
    assert node.rows("SELECT count(*) FROM homer_lake.main.hep_proto_1_call WHERE storage_volume = 'hot'") == [[1000]]


def test_data_path_mismatch_on_s3_names_the_fix(tiered, tmp_path):
    import subprocess
    from conftest import BINARY, free_port_pair, write_config
    cold = dict(tiered["cold"], path=f"s3://{tiered['bucket']}/elsewhere/")
    cfg = tmp_path / "c.json"
    write_config(cfg, [cold], free_port_pair())
    r = subprocess.run([str(BINARY), "--config", str(cfg)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert "volume 'cold'" in r.stderr and "override_data_path" in r.stderr
    assert tiered["s3"].secret_key not in r.stderr


def test_every_surface_sees_the_merged_lake_and_skips_cold(tiered, node_factory):
    """The same hot-only query through Flight and Flight SQL, with the S3 endpoint down."""
    import pyarrow.flight as flight

    node = node_factory([tiered["hot"], tiered["cold"]], flightsql={})
    merged = ("SELECT storage_volume, count(*) AS n FROM homer_lake.main.hep_proto_1_call "
              "WHERE timestamp >= TIMESTAMP '2026-11-20' GROUP BY ALL")
    everything = "SELECT count(*) AS n FROM homer_lake.main.hep_proto_1_call"
    options = flight.FlightCallOptions(headers=[(b"authorization", f"Bearer {node.token}".encode())])
    client = flight.FlightClient(f"grpc://127.0.0.1:{node.port}")

    def via_flight(sql):
        info = client.get_flight_info(flight.FlightDescriptor.for_command(sql.encode()), options)
        return client.do_get(info.endpoints[0].ticket, options).read_all().to_pylist()

    def via_flightsql(sql):
        with node.adbc() as conn, conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetch_arrow_table().to_pylist()

    for run in (via_flight, via_flightsql):
        assert run(everything) == [{"n": 4001}]
    tiered["s3"].proxy.down()
    try:
        for run in (via_flight, via_flightsql):
            assert run(merged) == [{"storage_volume": "hot", "n": 1000}]
    finally:
        tiered["s3"].proxy.up()
