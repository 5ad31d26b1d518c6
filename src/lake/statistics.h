#pragma once
/// \file
/// DuckLake's own statistics of a table: per-column min/max/null flags and record counts, as
/// the writer recorded them in each volume's metadata catalog (`__ducklake_metadata_<catalog>`,
/// attached read-only with the volume). Reading them costs a metadata lookup, never a scan.
///
/// The statistics describe the current snapshot and are bounds, not exact values: deletes do
/// not shrink them. Where one is missing the answer says "unknown" (NULL min/max, has_null),
/// so a client pruning on them never drops a row. A merged table combines its volumes: min of
/// mins and max of maxes only when every volume has them; a column a volume lacks is NULL there.

#include <arrow/result.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "lake/catalog_listing.h"

namespace homer::lake {

/// A query returning one row with the Airport `column_statistics` fields: `min`, `max` (typed
/// as the column, or VARCHAR for a JSON column and NULL for types without bounds),
/// `has_not_null`, `has_null`, `distinct_count` (0: unknown) and `contains_unicode`.
/// `duckdb_type` is the column's type as duckdb_columns() spells it.
/// The per-volume statistics are read here (one small metadata query per volume).
arrow::Result<std::string> ColumnStatisticsSql(const MetadataQuery& query, const CatalogSnapshot& snapshot,
                                               const LakeTable& table, const std::string& column,
                                               const std::string& duckdb_type);

/// The DuckDB type of a column, from duckdb_columns().
arrow::Result<std::string> ColumnType(const MetadataQuery& query, const LakeTable& table,
                                      const std::string& column);

/// Rows the table holds according to the statistics (deleted rows may be counted).
arrow::Result<int64_t> RecordCount(const MetadataQuery& query, const CatalogSnapshot& snapshot,
                                   const LakeTable& table);

/// [min, max] of a TIMESTAMP column in microseconds since the epoch; nullopt when unknown.
arrow::Result<std::optional<std::pair<int64_t, int64_t>>> TimestampRange(const MetadataQuery& query,
                                                                         const CatalogSnapshot& snapshot,
                                                                         const LakeTable& table,
                                                                         const std::string& column);

}  // namespace homer::lake
