#pragma once
/// \file
/// The catalog commands (GetCatalogs, GetDbSchemas, GetTables, GetTableTypes and the four key
/// commands) answered from common::LakeCatalog's snapshot, with the spec's result schemas.
///
/// The lake publishes the merged lake and each volume's catalog, each with the one schema
/// `main`. Every table is reported as `BASE TABLE` (Grafana's query builder asks for
/// ["BASE TABLE", "table"]), even the merged lake's, which DuckDB implements as views: to a
/// client they are tables. The lake has no keys, so the key commands answer empty results.

#include <arrow/api.h>
#include <arrow/result.h>

#include <memory>
#include <string>
#include <string_view>

#include "common/lake_catalog.h"
#include "flightsql/commands.h"

namespace homer::flightsql {

const std::shared_ptr<arrow::Schema>& CatalogsSchema();
const std::shared_ptr<arrow::Schema>& DbSchemasSchema();
/// With or without the `table_schema` column.
const std::shared_ptr<arrow::Schema>& TablesSchema(bool include_schema);
const std::shared_ptr<arrow::Schema>& TableTypesSchema();
const std::shared_ptr<arrow::Schema>& PrimaryKeysSchema();
/// Imported keys, exported keys and cross reference share one schema.
const std::shared_ptr<arrow::Schema>& ForeignKeysSchema();

/// The one table type reported.
inline constexpr std::string_view kTableType = "BASE TABLE";

/// SQL LIKE with `%` and `_`, `\` escaping the next character (SqlInfo 513).
bool LikeMatch(std::string_view text, std::string_view pattern);

arrow::Result<std::shared_ptr<arrow::RecordBatch>> GetCatalogs(const lake::CatalogSnapshot& snapshot);
arrow::Result<std::shared_ptr<arrow::RecordBatch>> GetDbSchemas(const lake::CatalogSnapshot& snapshot,
                                                                const pb::CommandGetDbSchemas& command);
arrow::Result<std::shared_ptr<arrow::RecordBatch>> GetTables(const lake::CatalogSnapshot& snapshot,
                                                             const pb::CommandGetTables& command);
arrow::Result<std::shared_ptr<arrow::RecordBatch>> GetTableTypes();

/// A table's schema for GetTables(include_schema): its wire schema with the spec's
/// ARROW:FLIGHT:SQL:* metadata on every field.
std::shared_ptr<arrow::Schema> DescribedTableSchema(const lake::LakeTable& table);

}  // namespace homer::flightsql
