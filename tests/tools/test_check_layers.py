"""The include-graph check (scripts/check_layers.py): the real tree passes, and each kind of
violation, planted in a copy of src/, makes it fail with a message naming the file and rule."""
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "check_layers.py"


def run(src):
    return subprocess.run([sys.executable, str(SCRIPT), str(src)], capture_output=True, text=True)


def test_the_tree_goes_one_way():
    result = run(ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "goes one way" in result.stdout


@pytest.fixture
def src_copy(tmp_path):
    copy = tmp_path / "src"
    shutil.copytree(ROOT / "src", copy, ignore=shutil.ignore_patterns("*.o"))
    return copy


def plant(path, line):
    text = path.read_text()
    first_include = text.index("#include")
    path.write_text(text[:first_include] + line + "\n" + text[first_include:])


@pytest.mark.parametrize(
    "file, line, expected",
    [
        # a surface including another surface
        ("flightsql/flightsql_service.cc", '#include "flight/ticket.h"', "flightsql/ may not depend on flight/"),
        # a lower layer including a higher one
        ("lake/volume.cc", '#include "engine/engine.h"', "lake/ may not depend on engine/"),
        ("engine/engine.cc", '#include "http/http_server.h"', "engine/ may not depend on http/"),
        ("duckdb/database.cc", '#include "lake/volume.h"', "duckdb/ may not depend on lake/"),
        # DuckDB's C API outside src/duckdb/
        ("engine/query_stream.cc", "#include <duckdb.h>", "DuckDB's C API is included only in src/duckdb/"),
        ("engine/engine.h", '#include "duckdb/handles_internal.h"', "duckdb/handles_internal.h is private"),
        # a public duckdb/ header carrying the C API to every folder that includes it
        ("duckdb/database.h", "#include <duckdb.h>", "engine/engine.h: a public header exposes DuckDB's C API"),
    ],
)
def test_a_violating_include_fails(src_copy, file, line, expected):
    plant(src_copy / file, line)
    result = run(src_copy)
    assert result.returncode == 1, result.stdout
    assert expected in result.stdout, result.stdout


def test_a_folder_outside_the_layers_fails(src_copy):
    (src_copy / "telemetry").mkdir()
    (src_copy / "telemetry" / "counters.h").write_text("#pragma once\n")
    result = run(src_copy)
    assert result.returncode == 1
    assert "folder 'telemetry' has no place in the layers" in result.stdout
