"""The example configs validate, and the S3 variant (homer-writer-rustfs.json's shape) really
writes its lake's files to an S3-compatible server (moto on 127.0.0.1)."""
import json
import subprocess

import pytest
import requests

from capture import hep3, sip_request, start_capture_node
from conftest import BINARY, ROOT, node_environment
from s3_server import REGION, S3Server


@pytest.mark.parametrize("name", ["homer-node.json", "hot-cold.json", "homer-writer.json", "homer-writer-rustfs.json",
                                  "homer-writer-tiered.json"])
def test_examples_pass_check_config(name):
    out = subprocess.run([str(BINARY), "--check-config", str(ROOT / "examples" / name)], capture_output=True, text=True,
                         env=node_environment())
    assert out.returncode == 0, out.stderr
    modules = "ingest on, storage on" if "writer" in name else "ingest off, storage off"
    assert modules in out.stdout


def test_a_bad_capture_key_is_named_with_its_path(tmp_path):
    cfg = json.loads((ROOT / "examples" / "homer-writer.json").read_text())
    cfg["ingest"]["udp"]["port"] = 70000
    cfg["storage"]["ducklake"]["flush_interval_sec"] = 0
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(cfg))
    out = subprocess.run([str(BINARY), "--check-config", str(path)], capture_output=True, text=True,
                         env=node_environment())
    assert out.returncode == 1
    assert "$.ingest.udp.port: port 70000 is out of range" in out.stderr
    assert "$.storage.ducklake.flush_interval_sec: must be between 1 and 86400" in out.stderr


def test_the_writer_puts_its_files_on_s3(tmp_path):
    s3 = S3Server(tmp_path)
    try:
        s3.create_bucket("homer")
        node = start_capture_node(tmp_path, storage={
            "data_path": "s3://homer/lake/", "flush_interval_sec": 1,
            "s3": {"region": REGION, "access_key_id": s3.access_key, "secret_access_key": s3.secret_key,
                   "endpoint": s3.endpoint, "use_ssl": False, "url_style": "path"}})
        try:
            node.send_udp([hep3(sip_request("INVITE", f"s3-{i}@test")) for i in range(300)])
            assert node.wait_for("SELECT count(*) FROM homer_lake_hot.main.hep_proto_1_call", 300, seconds=20) == 300
            assert node.rows("SELECT count(*) FROM homer_lake.main.hep_proto_1_call")[0][0] == 300
            keys = [o["Key"] for o in s3.client().list_objects_v2(Bucket="homer").get("Contents", [])]
            assert any(k.startswith("lake/main/hep_proto_1_call/") and k.endswith(".parquet") for k in keys), keys
            assert s3.secret_key not in node.log() and s3.secret_key not in json.dumps(node.get("/api/v4/node/stats").json())
        finally:
            node.stop()
    finally:
        s3.stop()


def test_ingest_and_storage_run_without_a_node(tmp_path):
    """A capture-only process: receivers and writer, no query surfaces; another node reads its lake."""
    from conftest import free_port_pair, wait_for_port, writer_connection
    import signal
    import socket
    import time
    hep_port = free_port_pair()
    cfg = {"ingest": {"enable": True, "udp": {"host": "127.0.0.1", "port": hep_port},
                      "http": {"host": "127.0.0.1", "port": hep_port + 1}},
           "storage": {"enable": True, "ducklake": {"catalog_path": str(tmp_path / "lake.sqlite"),
                                                    "data_path": str(tmp_path / "data") + "/"}}}
    path = tmp_path / "capture-only.json"
    path.write_text(json.dumps(cfg))
    with open(tmp_path / "capture-only.log", "w") as log:
        proc = subprocess.Popen([str(BINARY), "--config", str(path)], stdout=log, stderr=subprocess.STDOUT,
                                env=node_environment())
    try:
        assert wait_for_port(hep_port + 1, time.time() + 30)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for i in range(200):
                s.sendto(hep3(sip_request("INVITE", f"only-{i}@test")), ("127.0.0.1", hep_port))
        health = requests.get(f"http://127.0.0.1:{hep_port + 1}/health", timeout=5).json()
        assert health == {"status": "ok", "module": "ingest"}
        time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    con = writer_connection()
    con.execute(f"ATTACH 'ducklake:sqlite:{tmp_path}/lake.sqlite' AS l (READ_ONLY)")
    assert con.execute("SELECT count(*) FROM l.main.hep_proto_1_call").fetchone()[0] == 200
