#include "engine/partial_answer.h"

#include <arrow/type.h>
#include <arrow/util/key_value_metadata.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

#include "duckdb/sql_text.h"

namespace homer::engine {
namespace {

using duckdb::SameIdentifier;

}  // namespace

std::string PartialAnswer::Text() const {
  std::string out = "partial answer: the merged lake answered without ";
  for (size_t i = 0; i < missing.size(); ++i) {
    out += (i ? ", " : "") + std::string("volume '") + missing[i].name + "' (not attached: " + missing[i].reason + ")";
  }
  // One line: it also goes into an HTTP header, where a line break would end the field.
  std::replace_if(out.begin(), out.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; }, ' ');
  return out;
}

std::string PartialAnswer::Json() const {
  nlohmann::json volumes = nlohmann::json::array();
  for (const auto& v : missing) volumes.push_back({{"name", v.name}, {"reason", v.reason}});
  nlohmann::json doc = {{"missing_volumes", std::move(volumes)}, {"reason", Text()}};
  return doc.dump(-1, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace);
}

bool NamesCatalog(const std::vector<TableRef>& tables, const std::string& catalog) {
  return std::any_of(tables.begin(), tables.end(), [&](const TableRef& t) {
    return SameIdentifier(t.catalog, catalog) || (t.catalog.empty() && SameIdentifier(t.schema, catalog));
  });
}

std::shared_ptr<arrow::Schema> WithPartialMark(const std::shared_ptr<arrow::Schema>& schema,
                                               const PartialAnswer& partial) {
  if (!partial.partial()) return schema;
  auto metadata = schema->metadata() ? schema->metadata()->Copy() : std::make_shared<arrow::KeyValueMetadata>();
  (void)metadata->Set(kPartialMetadataKey, partial.Json());
  return schema->WithMetadata(std::move(metadata));
}

}  // namespace homer::engine
