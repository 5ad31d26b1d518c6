#pragma once
/// \file
/// node.ducklake's bounds on DuckDB's memory beyond memory_limit (max_allocation_size,
/// memory_ceiling; duckdb/allocator_limits.h), with their metrics.

#include <arrow/status.h>

#include "config/server_config.h"

namespace homer::engine {

/// Apply them to every DuckDB database of the process. Counted in /metrics:
/// homer_memory_refusals_total{bound} (queries failed by a bound) and homer_duckdb_allocated_bytes.
arrow::Status ApplyMemoryBounds(const config::DuckLakeConfig& config);

}  // namespace homer::engine
