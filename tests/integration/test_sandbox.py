"""Sandbox escapes tried through both query routes: all refused, files untouched."""
import hashlib
import os
from pathlib import Path

import pytest


def snapshot(root: Path):
    """Every file under root with its size and hash."""
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file():
            out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


ESCAPES = [
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_blob('/etc/hostname')",
    "SELECT * FROM glob('/etc/*')",
    "SELECT * FROM '/etc/passwd'",
    "COPY (SELECT 1) TO '{tmp}/out.csv'",
    "COPY homer_lake_hot.main.hep_proto_1_call TO '{tmp}/out.parquet'",
    "EXPORT DATABASE '{tmp}/export'",
    "ATTACH '{tmp}/new.db' AS x",
    "ATTACH 'ducklake:sqlite:{hot_catalog}' AS again",
    "INSTALL httpfs",
    "LOAD httpfs",
    "LOAD '{tmp}/evil.duckdb_extension'",
    "SET enable_external_access = true",
    "SET allowed_directories = ['/']",
    "RESET lock_configuration",
    "PRAGMA enable_profiling",
    "PRAGMA threads = 1",
    "CREATE TABLE homer_lake_hot.main.x (i INTEGER)",
    "INSERT INTO homer_lake_hot.main.hep_proto_1_call (uuid) VALUES ('evil')",
    "DELETE FROM homer_lake_hot.main.hep_proto_1_call",
    "DROP TABLE homer_lake_hot.main.hep_proto_1_call",
    "CREATE VIEW homer_lake.main.v AS SELECT 1",
    "CALL ducklake_expire_snapshots('homer_lake_hot', older_than => now())",
    "SELECT * FROM ducklake_cleanup_old_files('homer_lake_hot', cleanup_all => true)",
    "SELECT * FROM ducklake_delete_orphaned_files('homer_lake_hot', cleanup_all => true)",
    "SELECT * FROM sqlite_scan('{hot_catalog}', 'ducklake_metadata')",
    "SELECT * FROM query('SELECT * FROM read_text(''/etc/passwd'')')",
    "WITH q AS (SELECT * FROM read_text('/etc/shadow')) SELECT * FROM q",
    "SELECT 1; SELECT * FROM read_text('/etc/passwd')",
    "CREATE SECRET s (TYPE S3, KEY_ID 'a', SECRET 'b')",
]


@pytest.mark.parametrize("route", ["/api/v4/node/query", "/query"])
def test_escapes_are_refused(hot_cold, node_factory, tmp_path, route):
    node = node_factory(hot_cold.volumes)
    before = snapshot(hot_cold.root)
    hot_catalog = hot_cold.volumes[0]["catalog_path"]
    for template in ESCAPES:
        sql = template.format(tmp=tmp_path, hot_catalog=hot_catalog)
        r = node.post(route, {"sql": sql})
        assert r.status_code in (400, 403), (sql, r.status_code, r.text[:300])
        assert "root:" not in r.text
    assert not (tmp_path / "out.csv").exists()
    assert not (tmp_path / "out.parquet").exists()
    assert not (tmp_path / "export").exists()
    assert not (tmp_path / "new.db").exists()
    after = snapshot(hot_cold.root)
    assert before == after, "lake files changed"
    assert node.rows("SELECT count(*) FROM homer_lake.main.hep_proto_1_call") == [[5]]


def test_lake_files_are_readable_but_nothing_else(hot_cold, node_factory):
    node = node_factory(hot_cold.volumes)
    # Reading the lake's own Parquet files directly stays allowed (they are inside the volume).
    data = hot_cold.volumes[0]["path"]
    r = node.post("/api/v4/node/query", {"sql": f"SELECT count(*) FROM read_parquet('{data}**/*.parquet')"})
    assert r.status_code == 200, r.text
    outside = hot_cold.root / "outside.parquet"
    os.link(next(Path(data).rglob("*.parquet")), outside)
    r = node.post("/api/v4/node/query", {"sql": f"SELECT count(*) FROM read_parquet('{outside}')"})
    assert r.status_code == 400, r.text
    assert "disabled by configuration" in r.json()["error"] or "Permission" in r.json()["error"]
