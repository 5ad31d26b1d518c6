#pragma once
/// \file
/// What a lake holds, as the surfaces list it: the merged lake's views and each volume's tables
/// (catalog, name, comment, wire schema), and the SQL that lists them from DuckDB's catalog.
/// Metadata is read through a MetadataQuery, so the caller decides on which connection and
/// under which rules (the query engine reads it through its sandbox).

#include <arrow/api.h>
#include <arrow/result.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace homer::lake {

struct LakeVolume {
  std::string label;    ///< the volume's name (storage_volume)
  std::string catalog;  ///< its attach name (storage_lake)
};

struct LakeTable {
  std::string catalog;  ///< DuckDB catalog: the lake name or a volume's catalog
  std::string schema;   ///< always "main"
  std::string name;
  std::string comment;
  bool merged = false;  ///< a view of the merged lake: UNION ALL over the volumes holding it
  std::shared_ptr<arrow::Schema> arrow_schema;  ///< wire schema of `SELECT * FROM` it

  /// "catalog"."schema"."name"
  std::string QualifiedName() const;
};

struct CatalogSnapshot {
  uint64_t version = 0;
  std::string lake_name;
  std::vector<std::string> catalogs;  ///< the lake first, then each attached volume's (no duplicates)
  std::vector<LakeVolume> volumes;    ///< attached volumes, in configuration order
  std::vector<LakeTable> tables;      ///< ordered by catalog, then name

  const LakeTable* Find(const std::string& catalog, const std::string& schema, const std::string& name) const;
  /// The tables of one catalog.
  std::vector<const LakeTable*> TablesOf(const std::string& catalog) const;
};

/// Rows of a small metadata query; every selected column is VARCHAR (cast in the SQL).
using TextRows = std::vector<std::vector<std::optional<std::string>>>;
/// Runs a metadata query and returns its rows.
using MetadataQuery = std::function<arrow::Result<TextRows>(const std::string& sql)>;

/// (catalog, name, comment, 'table' | 'view') of the volumes' `main` tables and the merged
/// lake's views, ordered by catalog and name.
std::string TableListSql(const std::string& lake_name, const std::vector<LakeVolume>& volumes);

}  // namespace homer::lake
