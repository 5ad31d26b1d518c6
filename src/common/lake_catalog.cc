#include "common/lake_catalog.h"

#include <algorithm>

#include "common/arrow_types.h"

namespace homer::common {

using lake::CatalogSnapshot;
using lake::LakeTable;

arrow::Result<std::shared_ptr<const CatalogSnapshot>> LakeCatalog::Snapshot() {
  std::lock_guard lock(mutex_);
  // Read before listing: a refresh during the listing leaves a stale version, rebuilt next time.
  const uint64_t version = engine_->catalog_version();
  if (!current_ || current_->version != version) {
    ARROW_ASSIGN_OR_RAISE(current_, Build(version));
  }
  return current_;
}

arrow::Result<std::shared_ptr<const CatalogSnapshot>> LakeCatalog::Build(uint64_t version) {
  auto snapshot = std::make_shared<CatalogSnapshot>();
  snapshot->version = version;
  snapshot->lake_name = engine_->lake_name();
  snapshot->catalogs.push_back(snapshot->lake_name);
  for (const auto& v : engine_->volumes()) {
    if (!v.attached) continue;
    snapshot->volumes.push_back({v.config.name, v.catalog});
    if (v.catalog != snapshot->lake_name) snapshot->catalogs.push_back(v.catalog);
  }
  ARROW_ASSIGN_OR_RAISE(auto rows, QueryText(engine_, lake::TableListSql(snapshot->lake_name, snapshot->volumes)));
  for (const auto& row : rows) {
    LakeTable t;
    t.catalog = row[0].value_or("");
    t.schema = "main";
    t.name = row[1].value_or("");
    t.comment = row[2].value_or("");
    t.merged = row[3] == "view";
    ARROW_ASSIGN_OR_RAISE(t.arrow_schema, QuerySchema(engine_, "SELECT * FROM " + t.QualifiedName()));
    snapshot->tables.push_back(std::move(t));
  }
  // The lake's own tables first, as the catalogs are listed.
  std::stable_sort(snapshot->tables.begin(), snapshot->tables.end(), [&](const LakeTable& a, const LakeTable& b) {
    return (a.catalog == snapshot->lake_name) > (b.catalog == snapshot->lake_name);
  });
  return snapshot;
}

lake::MetadataQuery MetadataReader(engine::Engine* engine) {
  return [engine](const std::string& sql) { return QueryText(engine, sql); };
}

arrow::Result<lake::TextRows> QueryText(engine::Engine* engine, const std::string& sql) {
  ARROW_ASSIGN_OR_RAISE(auto query, engine->Execute(sql));
  lake::TextRows rows;
  while (true) {
    ARROW_ASSIGN_OR_RAISE(auto batch, query->Next());
    if (!batch) break;
    std::vector<std::shared_ptr<arrow::StringArray>> columns;
    for (const auto& column : batch->columns()) {
      if (column->type_id() != arrow::Type::STRING) {
        return arrow::Status::TypeError("metadata query column is ", column->type()->ToString(),
                                        ", not VARCHAR: ", sql);
      }
      columns.push_back(std::static_pointer_cast<arrow::StringArray>(column));
    }
    for (int64_t r = 0; r < batch->num_rows(); ++r) {
      std::vector<std::optional<std::string>> row;
      for (const auto& c : columns) {
        row.push_back(c->IsNull(r) ? std::nullopt : std::optional<std::string>(c->GetString(r)));
      }
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

arrow::Result<std::shared_ptr<arrow::Schema>> QuerySchema(engine::Engine* engine, const std::string& sql,
                                                          const duckdb::QueryParameters& parameters) {
  ARROW_ASSIGN_OR_RAISE(auto query, engine->Execute(sql, parameters));
  return WireSchema(query->schema());
}

}  // namespace homer::common
