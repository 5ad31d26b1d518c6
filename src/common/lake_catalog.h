#pragma once
/// \file
/// What the Arrow surfaces publish: every table of the merged lake and of each volume's
/// catalog (lake/catalog_listing.h), with the wire schema a scan of it returns.
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
#include "lake/catalog_listing.h"

namespace homer::common {

class LakeCatalog {
 public:
  explicit LakeCatalog(engine::Engine* engine) : engine_(engine) {}

  /// The current snapshot, rebuilt when the engine's catalog version moved.
  arrow::Result<std::shared_ptr<const lake::CatalogSnapshot>> Snapshot();

 private:
  arrow::Result<std::shared_ptr<const lake::CatalogSnapshot>> Build(uint64_t version);

  engine::Engine* engine_;
  std::mutex mutex_;
  std::shared_ptr<const lake::CatalogSnapshot> current_;
};

/// Rows of a small metadata query run by the engine (under its sandbox); every selected column
/// must be VARCHAR (cast in the SQL).
arrow::Result<lake::TextRows> QueryText(engine::Engine* engine, const std::string& sql);
/// QueryText as a lake::MetadataQuery.
lake::MetadataQuery MetadataReader(engine::Engine* engine);

/// The wire schema of a query with `parameters` bound, from preparing it (the query does not run
/// unless a result type depends on a parameter's type).
arrow::Result<std::shared_ptr<arrow::Schema>> QuerySchema(engine::Engine* engine, const std::string& sql,
                                                          const duckdb::QueryParameters& parameters = {});

}  // namespace homer::common
