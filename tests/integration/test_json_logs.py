"""log.format json: every line the process writes (stdout and stderr, every thread, startup errors
once the config is read) is one JSON object with time, level, thread and msg; no secret in any."""
import json
import re
import socket
import subprocess

import pytest
import requests

from conftest import BINARY, free_port_pair, node_environment, start_node, write_config

TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
LEVELS = {"trace", "debug", "info", "warning", "error", "critical"}
TOKEN = "json-logs-secret-token"
S3_SECRET = "json-logs-s3-secret-key"


def json_lines(text):
    """Every line of `text` parsed, each checked to be a log object; the list of them."""
    assert text.endswith("\n"), text[-200:]
    lines = []
    for raw in text.splitlines():
        line = json.loads(raw)  # raises on a line that is not JSON
        assert isinstance(line, dict), raw
        assert TIME.match(line["time"]), raw
        assert line["level"] in LEVELS, raw
        assert isinstance(line["thread"], int), raw
        assert isinstance(line["msg"], str), raw
        lines.append(line)
    return lines


def test_every_line_of_a_serving_node_is_json(hot_cold, tmp_path):
    # A volume whose catalog is missing logs an error at startup; its s3 secret must stay out of it.
    missing = {"name": "gone", "type": "s3", "catalog_path": str(tmp_path / "gone.sqlite"), "path": "s3://b/p/",
               "s3_access_key_id": "AKIAJSONLOGS", "s3_secret_access_key": S3_SECRET,
               "s3_endpoint": "127.0.0.1:9", "s3_use_ssl": False}
    node = start_node(tmp_path, hot_cold.volumes + [missing], token=TOKEN,
                      env={"HOMER_LOG_FORMAT": "json", "HOMER_LOG_LEVEL": "debug"})
    try:
        assert node.rows("SELECT 42 AS n") == [[42]]
        bad = node.post("/api/v4/node/query", {"sql": "SELEC \"quoted\" 'x'\n\\ \u0001 é"})
        assert bad.status_code == 400, bad.text
        refused = requests.post(node.http + "/api/v4/node/query", json={"sql": "SELECT 1"}, timeout=30,
                                headers={"Authorization": "Bearer wrong-token-of-the-json-logs-test"})
        assert refused.status_code == 401
        # An error after the first rows were sent is logged with DuckDB's message (quotes, a newline).
        failing = ("SELECT CASE WHEN i < 200000 THEN i ELSE error('late \"failure\"' || chr(10) || 'line 2') END "
                   "AS v FROM range(400000) t(i)")
        with pytest.raises(requests.exceptions.ChunkedEncodingError):  # a truncated body
            node.post("/api/v4/node/query", {"sql": failing})
    finally:
        node.stop()
    text = node.log()
    lines = json_lines(text)
    messages = [line["msg"] for line in lines]
    assert any(m.startswith("HTTP API on http://") for m in messages), messages
    assert any("skipping volume 'gone'" in m for m in messages), messages
    assert any(m.startswith("signal 15: shutting down") for m in messages), messages
    late = [line for line in lines if line["msg"].startswith("query failed after")]
    assert late and late[0]["msg"].endswith('late "failure"\nline 2'), late
    assert late[0]["level"] == "warning" and late[0]["thread"] != lines[0]["thread"], late
    assert {line["level"] for line in lines} >= {"info", "error"}
    for secret in (TOKEN, S3_SECRET, "wrong-token-of-the-json-logs-test"):
        assert secret not in text


def test_a_startup_error_after_the_config_is_read_is_a_json_line(hot_cold, tmp_path):
    port = free_port_pair()
    config_path = tmp_path / "node.json"
    config = write_config(config_path, hot_cold.volumes, port, token=TOKEN)
    config["log"] = {"format": "json"}  # the file's key this time
    config_path.write_text(json.dumps(config))
    with socket.socket() as taken:  # the HTTP port (Flight port + 1) is in use
        taken.bind(("127.0.0.1", port + 1))
        taken.listen()
        proc = subprocess.run([str(BINARY), "--config", str(config_path)], env=node_environment(),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    assert proc.returncode == 1, proc.stdout
    lines = json_lines(proc.stdout)
    assert lines[-1]["level"] == "critical", lines
    assert str(port + 1) in lines[-1]["msg"] or "address" in lines[-1]["msg"].lower(), lines[-1]
    assert TOKEN not in proc.stdout


def test_text_stays_the_default(hot_cold, tmp_path):
    node = start_node(tmp_path, hot_cold.volumes, token=TOKEN)
    node.stop()
    first = node.log().splitlines()[0]
    assert re.match(r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] \[info\] ", first), first
