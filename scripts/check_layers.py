#!/usr/bin/env python3
"""Check that src/'s include graph goes one way.

Layers: config -> duckdb -> lake -> engine -> common, rpc -> http, flight, flightsql; the
write path: ingest -> writer -> lake. A folder may include its own headers and those of the
folders it is allowed to depend on, nothing else; the surfaces never include each other.
DuckDB's C API (duckdb.h and duckdb/*_internal.h) is included only inside src/duckdb/, and no
header outside that folder may reach duckdb.h through its includes.

Usage: check_layers.py [SRC_DIR]   (default: the repository's src/). Exit 1 on a violation.
"""
import pathlib
import re
import sys

# What each folder of src/ may include besides itself. A new folder must be placed here.
# metrics is a base layer beside config: any folder may count, it includes nothing of ours.
ALLOWED = {
    "config": set(),
    "metrics": set(),
    # text: JSON string literals and UTF-8 checks, shared by the HTTP encoder and capture records
    "text": set(),
    "duckdb": {"text", "config"},
    "lake": {"text", "config", "metrics", "duckdb"},
    "engine": {"text", "config", "metrics", "duckdb", "lake"},
    "common": {"text", "config", "metrics", "duckdb", "lake", "engine"},
    "rpc": {"text", "config", "metrics", "duckdb", "lake", "engine", "common"},
    "http": {"text", "config", "metrics", "duckdb", "lake", "engine", "common"},
    "flight": {"text", "config", "metrics", "duckdb", "lake", "engine", "common", "rpc"},
    "flightsql": {"text", "config", "metrics", "duckdb", "lake", "engine", "common", "rpc"},
    # the write path (capture): receivers and decoders know no DuckDB; the writer feeds the lake
    "ingest": {"text", "config", "metrics"},
    "writer": {"text", "config", "metrics", "duckdb", "lake", "ingest"},
    # the storage policy: moves, retention and compaction of the volumes the writer fills
    "policy": {"text", "config", "metrics", "duckdb", "lake"},
    # logging: the process's log line format (spdlog), set by main once the config is read
    "logging": {"text", "config"},
}
# main.cc wires every module.
WIRING = "main"
C_API = "duckdb.h"
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def folder_of(path, src):
    rel = path.relative_to(src)
    return rel.parts[0] if len(rel.parts) > 1 else WIRING


def includes(path):
    """(line number, include text, is_quoted) of each #include."""
    out = []
    for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
        m = INCLUDE.match(line)
        if m:
            out.append((n, m.group(2), m.group(1) == '"'))
    return out


def check(src):
    src = pathlib.Path(src).resolve()
    files = sorted(p for p in src.rglob("*") if p.suffix in (".h", ".cc") and p.is_file())
    problems = []
    graph = {}  # header path (relative to src) -> project headers it includes
    for path in files:
        rel = path.relative_to(src).as_posix()
        me = folder_of(path, src)
        if me != WIRING and me not in ALLOWED:
            problems.append(f"{rel}: folder '{me}' has no place in the layers (add it to ALLOWED in {__file__})")
            continue
        graph[rel] = []
        for line, target, quoted in includes(path):
            where = f"{rel}:{line}: #include {target}"
            if target == C_API:
                if me != "duckdb":
                    problems.append(f"{where}: DuckDB's C API is included only in src/duckdb/")
                graph[rel].append(C_API)
                continue
            if not quoted or not (src / target).is_file():
                continue  # a library header
            graph[rel].append(target)
            theirs = target.split("/")[0]
            if target.startswith("duckdb/") and target.endswith("_internal.h") and me != "duckdb":
                problems.append(f"{where}: {target} is private to src/duckdb/")
            elif theirs != me and me != WIRING and theirs not in ALLOWED.get(me, set()):
                allowed = ", ".join(sorted(ALLOWED.get(me, set()))) or "nothing"
                problems.append(f"{where}: {me}/ may not depend on {theirs}/ ({me}/ may include {allowed})")
    problems += exposed_c_api(graph)
    return problems


def exposed_c_api(graph):
    """Headers outside src/duckdb/ (and public ones inside it) that reach duckdb.h."""
    memo = {}

    def reaches(node, stack):
        if node == C_API:
            return [C_API]
        if node in memo:
            return memo[node]
        if node in stack:
            return None
        stack.add(node)
        found = None
        for child in graph.get(node, []):
            chain = reaches(child, stack)
            if chain:
                found = [node] + chain
                break
        stack.discard(node)
        memo[node] = found
        return found

    problems = []
    for header in sorted(h for h in graph if h.endswith(".h")):
        if header.startswith("duckdb/") and header.endswith("_internal.h"):
            continue
        chain = reaches(header, set())
        if chain:
            problems.append(f"{header}: a public header exposes DuckDB's C API: {' -> '.join(chain)}")
    return problems


def main(argv):
    src = argv[1] if len(argv) > 1 else pathlib.Path(__file__).resolve().parent.parent / "src"
    problems = check(src)
    for p in problems:
        print(p)
    if problems:
        print(f"check_layers: {len(problems)} problem(s) in the include graph of {src}")
        return 1
    print(f"check_layers: the include graph of {src} goes one way")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
