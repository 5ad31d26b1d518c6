"""The demo lake generator and the embedded default, through the real binary."""
import subprocess

from conftest import BINARY


def test_demo_lake_is_served_as_one_merged_lake(tmp_path, node_factory):
    out = tmp_path / "demo"
    r = subprocess.run([str(BINARY), "demo-lake", "--dir", str(out), "--days", "3", "--hot-days", "1",
                        "--calls", "200"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert (out / "homer_lake.sqlite").exists() and (out / "homer_lake_cold.sqlite").exists()
    volumes = [
        {"name": "hot", "catalog_path": str(out / "homer_lake.sqlite"), "path": str(out / "data" / "hot") + "/"},
        {"name": "cold", "catalog_path": str(out / "homer_lake_cold.sqlite"), "path": str(out / "data" / "cold") + "/"},
    ]
    node = node_factory(volumes)
    per_volume = dict(node.rows("SELECT storage_volume, count(DISTINCT date) FROM homer_lake.main.hep_proto_1_call "
                                "GROUP BY ALL"))
    assert per_volume == {"hot": 1, "cold": 2}
    methods = {m for (m,) in node.rows("SELECT DISTINCT method FROM homer_lake.main.hep_proto_1_call")}
    assert {"INVITE", "ACK", "BYE"} <= methods
    tables = {t for (t,) in node.rows("SELECT table_name FROM duckdb_tables() WHERE database_name = 'homer_lake_cold' "
                                      "UNION SELECT view_name FROM duckdb_views() WHERE database_name = 'homer_lake'")}
    for t in ["hep_proto_1_call", "hep_proto_1_registration", "hep_proto_1_default", "hep_proto_5_default",
              "hep_proto_100_default"]:
        assert t in tables
    # Regenerating into an existing lake is refused, the lake is untouched.
    r = subprocess.run([str(BINARY), "demo-lake", "--dir", str(out)], capture_output=True, text=True, timeout=120)
    assert r.returncode != 0
