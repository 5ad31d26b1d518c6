"""DuckDB with the real Airport extension (built by scripts/bootstrap.sh from Query.farm's source
into .deps/airport), attached to a node the way the README shows."""
import duckdb
import pytest

from conftest import DEPS, EXTENSIONS

AIRPORT = DEPS / "airport"
EXTENSION = AIRPORT / "airport.duckdb_extension"


def extension_path():
    """The built extension; fails (never skips) the test when bootstrap could not build it."""
    unavailable = AIRPORT / "UNAVAILABLE"
    if unavailable.exists():
        pytest.fail(unavailable.read_text().strip(), pytrace=False)
    if not EXTENSION.exists():
        pytest.fail(f"{EXTENSION} is missing: run scripts/bootstrap.sh", pytrace=False)
    return EXTENSION


def airport_connection(threads=4):
    """Python duckdb with Airport loaded; its httpfs autoload comes from the bundle, offline."""
    con = duckdb.connect(config={
        "allow_unsigned_extensions": "true",
        "extension_directory": str(EXTENSIONS),
        "autoinstall_known_extensions": "false",
        "autoload_known_extensions": "true",
        "threads": threads,
    })
    con.execute(f"LOAD '{extension_path()}'")
    return con


def attach(con, port, token, name="homer"):
    """The README's two statements: the token as a secret scoped to the node, then ATTACH."""
    location = f"grpc://127.0.0.1:{port}"
    if token is not None:
        con.execute(f"CREATE OR REPLACE SECRET {name}_token (TYPE airport, auth_token '{token}', scope '{location}')")
    con.execute(f"ATTACH '{name}' AS {name} (TYPE AIRPORT, LOCATION '{location}')")
    return con
