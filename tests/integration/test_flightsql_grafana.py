"""Grafana's FlightSQL datasource against a real homer-node: tests/clients/grafana is a Go program on
arrow-go's Flight SQL client that makes the datasource's calls (health check, the query editor's
sql-info / tables / columns resources, a panel query) with Grafana's auth and metadata, and prints
a JSON report. Expected values come from the test lake itself, read by an in-process duckdb."""
import json
import subprocess
from datetime import datetime, time, timezone

import pytest

from conftest import DEPS, writer_connection

CLIENT = DEPS / "bin" / "grafana-flightsql-client"

# The query editor reads GetSqlInfo rows 17..21 as these lists (ids 508..512).
EDITOR_LISTS = {"keywords": 508, "numeric_functions": 509, "string_functions": 510,
                "system_functions": 511, "datetime_functions": 512}

# DuckDB column type -> the arrow-go type string the client sees (JSON keeps its arrow.json
# extension metadata, but arrow-go, like Grafana, reads the storage type).
ARROW_GO_TYPE = {"VARCHAR": "utf8", "DATE": "date32", "TIMESTAMP": "timestamp[us]", "UINTEGER": "uint32",
                 "JSON": "utf8"}

TIME_QUERY = ("SELECT timestamp AS time, uuid, method, src_port FROM homer_lake.main.hep_proto_1_call "
              "ORDER BY time")


@pytest.fixture
def node(hot_cold, node_factory):
    return node_factory(hot_cold.volumes, flightsql={})


def credentials(node, auth):
    return {"basic": ["-user", "grafana", "-password", node.token],
            "bearer": ["-token", node.token]}[auth]


def run_client(node, *args):
    """Runs the client; returns (exit code, report). Exit 1 means some step recorded an error."""
    assert CLIENT.exists(), f"{CLIENT} is missing: run scripts/bootstrap.sh (builds tests/clients/grafana)"
    proc = subprocess.run([str(CLIENT), "-addr", f"127.0.0.1:{node.flightsql_port}",
                           "-metadata", "x-grafana-org=1", *args],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def lake_connection(lake):
    """The volumes attached read-only under their names, beside the running node."""
    con = writer_connection()
    for vol in lake.volumes:
        con.execute(f"ATTACH 'ducklake:sqlite:{vol['catalog_path']}' AS {vol['name']} "
                    f"(DATA_PATH '{vol['path']}', READ_ONLY)")
    return con


def step_ok(report, step):
    assert "error" not in report[step], f"{step}: {report[step]['error']}"
    return report[step]


# --- connect and health check -----------------------------------------------------------------
@pytest.mark.parametrize("auth", ["basic", "bearer"])
def test_health_check_select_1(node, auth):
    rc, report = run_client(node, *credentials(node, auth), "-mode", "health")
    # Grafana sends its configured pairs and the bearer (given, or from the handshake) on every call.
    assert report["connect"]["metadata_keys"] == ["authorization", "x-grafana-org"]
    health = step_ok(report, "health")
    assert rc == 0
    assert health["endpoints"] == 1
    assert [(f["name"], f["type"]) for f in health["schema"]] == [("1", "int32")]
    assert health["rows"] == [[1]]


@pytest.mark.parametrize("args", [
    ["-user", "grafana", "-password", "wrong-token"],
    ["-token", "wrong-token"],
    [],
], ids=["wrong_password", "wrong_bearer", "no_auth"])
def test_bad_credentials_unauthenticated(node, args):
    rc, report = run_client(node, *args, "-mode", "health")
    assert rc == 1
    # A wrong password fails the handshake (Grafana then has no datasource); otherwise the first call.
    error = report["connect"]["error"] if "error" in report["connect"] else report["health"]["error"]
    assert error["code"] == "Unauthenticated", error
    assert "health" not in report or "rows" not in report["health"]


# --- query editor resources -------------------------------------------------------------------
@pytest.mark.parametrize("auth", ["basic", "bearer"])
def test_sql_info_lists_at_the_editor_positions(node, auth, hot_cold):
    rc, report = run_client(node, *credentials(node, auth), "-mode", "sqlinfo")
    info = report["sqlinfo"]
    assert info["endpoints"] == 1
    assert [(f["name"], f["type"].split("<")[0]) for f in info["schema"]] == [
        ("info_name", "uint32"), ("value", "dense_union")]
    assert info["ids"] == sorted(info["ids"]) and len(set(info["ids"])) == len(info["ids"])
    # The lists themselves, by id.
    lists = info["lists_by_id"]
    assert sorted(lists) == [str(i) for i in EDITOR_LISTS.values()]
    for list_id, values in lists.items():
        assert isinstance(values, list) and values, list_id
    with writer_connection() as con:
        keywords = {r[0] for r in con.execute("SELECT keyword_name FROM duckdb_keywords()").fetchall()}
    assert set(lists["508"]) == keywords
    # What Grafana's editor does: rows 17..21 of the full answer, by position.
    editor = info["editor"]
    positions = {name: (entry["position"], entry.get("info_name")) for name, entry in editor.items()}
    assert positions == {name: (17 + i, list_id) for i, (name, list_id) in enumerate(EDITOR_LISTS.items())}, \
        info.get("error")
    for name, list_id in EDITOR_LISTS.items():
        assert editor[name]["value"] == lists[str(list_id)], name
    assert "SELECT" in [k.upper() for k in editor["keywords"]["value"]]
    assert "error" not in info and rc == 0


@pytest.mark.parametrize("auth", ["basic", "bearer"])
def test_tables_for_the_editor(node, auth, hot_cold):
    rc, report = run_client(node, *credentials(node, auth), "-mode", "tables")
    tables = step_ok(report, "tables")
    assert rc == 0 and tables["endpoints"] == 1
    assert [f["name"] for f in tables["schema"]] == ["catalog_name", "db_schema_name", "table_name", "table_type"]
    with lake_connection(hot_cold) as con:
        per_volume = con.execute("SELECT database_name, table_name FROM duckdb_tables() "
                                 "WHERE database_name IN ('hot', 'cold')").fetchall()
    expected = {(f"homer_lake_{db}", "main", t, "BASE TABLE") for db, t in per_volume}
    expected |= {("homer_lake", "main", t, "BASE TABLE") for _, t in per_volume}
    assert [tuple(r) for r in tables["rows"]] == sorted(expected)
    # The editor lists column 2 of each row.
    assert tables["editor_tables"] == [r[2] for r in sorted(expected)]
    assert "hep_proto_1_call" in tables["editor_tables"]


def expected_columns(lake, table):
    """(name, arrow-go type, DuckDB type) of the merged table: the volume's columns, then the
    merged lake's storage_volume and storage_lake."""
    with lake_connection(lake) as con:
        described = con.execute(f"DESCRIBE hot.{table}").fetchall()
    cols = [(name, ARROW_GO_TYPE[typ], typ) for name, typ, *_ in described]
    return cols + [("storage_volume", "utf8", "VARCHAR"), ("storage_lake", "utf8", "VARCHAR")]


@pytest.mark.parametrize("auth", ["basic", "bearer"])
def test_columns_of_one_table(node, auth, hot_cold):
    rc, report = run_client(node, *credentials(node, auth), "-mode", "columns", "-table", "hep_proto_1_call")
    columns = step_ok(report, "columns")
    assert rc == 0 and columns["endpoints"] == 1
    # The pattern matches the table in the merged lake and in both volumes; Grafana shows row 0.
    assert columns["first_batch_rows"] == 3
    assert columns["row0"] == ["homer_lake", "main", "hep_proto_1_call"]
    got = [(c["name"], c["type"], c["metadata"]["ARROW:FLIGHT:SQL:TYPE_NAME"]) for c in columns["columns"]]
    expected = expected_columns(hot_cold, "hep_proto_1_call")
    # TYPE_NAME is DuckDB's (JSON, not the Arrow extension's name); the extension stays on the field.
    assert got == expected
    json_col = next(c for c in columns["columns"] if c["name"] == "data_extra")
    assert json_col["metadata"]["ARROW:extension:name"] == "arrow.json"


# --- a panel query ------------------------------------------------------------------------------
@pytest.mark.parametrize("auth", ["basic", "bearer"])
def test_time_series_query(node, auth, hot_cold):
    rc, report = run_client(node, *credentials(node, auth), "-mode", "query", "-sql", TIME_QUERY)
    query = step_ok(report, "query")
    assert rc == 0 and query["endpoints"] == 1
    assert [(f["name"], f["type"]) for f in query["schema"]] == [
        ("time", "timestamp[us]"), ("uuid", "utf8"), ("method", "utf8"), ("src_port", "uint32")]
    with lake_connection(hot_cold) as con:
        rows = con.execute("SELECT timestamp, uuid, method, src_port FROM hot.hep_proto_1_call UNION ALL "
                           "SELECT timestamp, uuid, method, src_port FROM cold.hep_proto_1_call "
                           "ORDER BY timestamp").fetchall()
    # The client prints timestamps as RFC 3339 in UTC.
    got = [[datetime.fromisoformat(t), *rest] for t, *rest in query["rows"]]
    assert got == [[ts.replace(tzinfo=timezone.utc), *rest] for ts, *rest in rows]
    assert len(query["rows"]) == 5


def test_grafana_cast_types_query(hot_cold, node_factory):
    """With grafana_cast_types, a DATE arrives as a timestamp (a Grafana frame has no date type)."""
    node = node_factory(hot_cold.volumes, flightsql={"grafana_cast_types": True})
    sql = "SELECT uuid, date, data_extra FROM homer_lake.main.hep_proto_1_call ORDER BY uuid"
    rc, report = run_client(node, "-token", node.token, "-mode", "query", "-sql", sql)
    query = step_ok(report, "query")
    assert rc == 0
    assert [(f["name"], f["type"]) for f in query["schema"]] == [
        ("uuid", "utf8"), ("date", "timestamp[us]"), ("data_extra", "utf8")]
    with lake_connection(hot_cold) as con:
        rows = con.execute("SELECT uuid, date, data_extra FROM hot.hep_proto_1_call UNION ALL "
                           "SELECT uuid, date, data_extra FROM cold.hep_proto_1_call ORDER BY uuid").fetchall()
    got = [[u, datetime.fromisoformat(d), j] for u, d, j in query["rows"]]
    assert got == [[u, datetime.combine(d, time.min, timezone.utc), j] for u, d, j in rows]


def test_every_step_in_one_session(node):
    """One datasource instance: one handshake, then the editor's resources and two queries."""
    rc, report = run_client(node, "-user", "grafana", "-password", node.token, "-sql", TIME_QUERY,
                            "-mode", "health,tables,columns,query,health")
    for step in ("health", "tables", "columns", "query"):
        step_ok(report, step)
    assert rc == 0
