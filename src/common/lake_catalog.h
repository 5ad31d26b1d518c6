#pragma once
/// \file
/// What the Arrow surfaces publish: every table of the merged lake and of each volume's
/// catalog, with the wire schema a scan of it returns.
///
/// Everything is read through Engine::Execute, so the listing obeys the same sandbox as client
/// queries. A snapshot is rebuilt only when the engine's catalog_version moves (tables or
/// columns changed, including after a refresh); between changes it is shared.

#include <arrow/api.h>
#include <arrow/result.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"

namespace homer::common {

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

class LakeCatalog {
 public:
  explicit LakeCatalog(engine::Engine* engine) : engine_(engine) {}

  /// The current snapshot, rebuilt when the engine's catalog version moved.
  arrow::Result<std::shared_ptr<const CatalogSnapshot>> Snapshot();

 private:
  arrow::Result<std::shared_ptr<const CatalogSnapshot>> Build(uint64_t version);

  engine::Engine* engine_;
  std::mutex mutex_;
  std::shared_ptr<const CatalogSnapshot> current_;
};

/// Rows of a small metadata query; every selected column must be VARCHAR (cast in the SQL).
using TextRows = std::vector<std::vector<std::optional<std::string>>>;
arrow::Result<TextRows> QueryText(engine::Engine* engine, const std::string& sql);

/// The wire schema of a query with `parameters` bound, from preparing it (the query does not run
/// unless a result type depends on a parameter's type).
arrow::Result<std::shared_ptr<arrow::Schema>> QuerySchema(engine::Engine* engine, const std::string& sql,
                                                          const engine::QueryParameters& parameters = {});

}  // namespace homer::common
