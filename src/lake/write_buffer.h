#pragma once
/// \file
/// The writer's buffer as the lake sees it, defined once for the writer (which fills and
/// flushes it) and the merged views (which read it). Buffered rows live in a DuckDB database
/// file, one table per lake table with the lake's columns plus a sequence number. A flush copies
/// rows to the lake and, in the same DuckLake commit, records the highest sequence number copied
/// in a small marks table of that lake; readers take from the buffer only the rows above the mark
/// of the lake snapshot they read, so a row is seen exactly once whichever side it is on.

#include <string>

#include "lake/hep_tables.h"
#include "lake/snapshot_pin.h"

namespace homer::lake {

/// Sequence number of a buffered row (per table, increasing): the last column of a buffer table.
inline constexpr const char* kSeqColumn = "_seq";
/// Marks live beside the lake's tables, outside `main` (which the merged lake lists).
inline constexpr const char* kMarksSchema = "homer_writer";
inline constexpr const char* kMarksTable = "flushed";

/// The buffer table for `table` in `buffer_catalog`: the HEP schema's columns and _seq.
std::string CreateBufferTableSql(const std::string& buffer_catalog, const std::string& table, HepSchema schema);

/// The marks schema and table in a writable lake catalog (kept inlined in the catalog database,
/// so a flush writes no extra Parquet file for its mark).
std::string CreateMarksSql(const std::string& lake_catalog);

/// Statements that record `seq` as `table`'s mark inside the flush's transaction, dropping the
/// older marks of the table.
std::string RecordMarkSql(const std::string& lake_catalog, const std::string& table, int64_t seq);

/// The highest sequence number of `table` already in `lake_catalog` (0 when none), as a SQL
/// expression read in the query's own snapshot of that catalog, or in the pinned one.
std::string FlushedSeqSql(const std::string& lake_catalog, const std::string& table, const SnapshotPin* pin = nullptr);

}  // namespace homer::lake
