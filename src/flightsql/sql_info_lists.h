#pragma once
/// \file
/// SqlInfo 508-512 (keywords and function lists, read by Grafana's autocomplete) from DuckDB's
/// own catalog functions, so they match the engine that runs the queries.

#include <arrow/result.h>

#include "engine/engine.h"
#include "flightsql/sql_info.h"

namespace homer::flightsql {

/// Keywords from duckdb_keywords(); scalar functions from duckdb_functions(), grouped by what
/// they return (numbers, text, dates and times) plus the session/system ones.
arrow::Result<SqlInfoLists> LoadSqlInfoLists(engine::Engine* engine);

}  // namespace homer::flightsql
