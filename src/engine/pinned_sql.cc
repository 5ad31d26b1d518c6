#include "engine/pinned_sql.h"

#include <algorithm>
#include <cctype>

#include "duckdb/sql_text.h"

namespace homer::engine {
namespace {

using duckdb::QualifiedName;
using duckdb::QuoteIdent;
using duckdb::SameIdentifier;

/// The parts written: catalog, schema, table, empty ones left out.
std::vector<std::string> WrittenNames(const TableRef& ref) {
  std::vector<std::string> names;
  for (const std::string* part : {&ref.catalog, &ref.schema, &ref.name}) {
    if (!part->empty()) names.push_back(*part);
  }
  return names;
}

bool IsNameChar(unsigned char c) { return std::isalnum(c) || c == '_' || c == '$' || c >= 0x80; }

/// The end of the dotted name starting at `at` whose parts are `names`; nullopt when the text
/// there is something else.
std::optional<size_t> NameEnd(const std::string& sql, size_t at, const std::vector<std::string>& names) {
  size_t i = at;
  auto skip_space = [&](size_t j) {
    while (j < sql.size() && std::isspace(static_cast<unsigned char>(sql[j]))) ++j;
    return j;
  };
  for (size_t p = 0; p < names.size(); ++p) {
    std::string part;
    if (i < sql.size() && sql[i] == '"') {
      for (++i; i < sql.size(); ++i) {
        if (sql[i] == '"' && i + 1 < sql.size() && sql[i + 1] == '"') part += sql[i++];
        else if (sql[i] == '"') break;
        else part += sql[i];
      }
      if (i >= sql.size()) return std::nullopt;
      ++i;
    } else {
      while (i < sql.size() && IsNameChar(static_cast<unsigned char>(sql[i]))) part += sql[i++];
    }
    if (!SameIdentifier(part, names[p])) return std::nullopt;
    if (p + 1 == names.size()) break;
    size_t j = skip_space(i);
    if (j >= sql.size() || sql[j] != '.') return std::nullopt;
    i = skip_space(j + 1);
  }
  return i;
}

/// What replaces a reference to catalog.schema.table; "" to leave it as written.
std::string Replacement(const LakeLayout& layout, const lake::SnapshotPin& pin, const TableRef& ref) {
  if (ref.time_travel) return "";
  std::string catalog = ref.catalog, schema = ref.schema.empty() ? "main" : ref.schema, table = ref.name;
  // `x.t`: x names a catalog here (the node's default catalog has no schema but main).
  if (catalog.empty() && !ref.schema.empty()) catalog = ref.schema, schema = "main";
  if (catalog.empty() || !SameIdentifier(schema, "main")) return "";
  if (layout.merged && SameIdentifier(catalog, layout.lake_name)) {
    for (const auto& t : layout.tables) {
      if (!SameIdentifier(t.name, table)) continue;
      return "(" + lake::MergedViewSql(t, layout.volumes, &pin) + ")" +
             (ref.alias.empty() ? " AS " + QuoteIdent(t.name) : "");
    }
    return "";
  }
  for (const auto& [pinned, version] : pin.versions) {
    if (!SameIdentifier(pinned, catalog)) continue;
    if (ref.alias.empty()) return lake::PinnedFrom(pinned, schema, table, table, &pin);
    return "(SELECT * FROM " + QualifiedName(pinned, schema, table) + " AT (VERSION => " + std::to_string(version) +
           "))";
  }
  return "";
}

}  // namespace

std::optional<std::string> PinnedSql(const std::string& sql, const std::vector<TableRef>& refs,
                                     const LakeLayout& layout, const lake::SnapshotPin& pin) {
  // Replaced from the end, so earlier offsets stay valid.
  std::vector<const TableRef*> order;
  for (const auto& ref : refs) order.push_back(&ref);
  std::sort(order.begin(), order.end(), [](const TableRef* a, const TableRef* b) { return a->location > b->location; });
  std::string out = sql;
  for (const TableRef* ref : order) {
    const std::string replacement = Replacement(layout, pin, *ref);
    if (replacement.empty()) continue;
    if (ref->location >= sql.size()) return std::nullopt;
    auto end = NameEnd(sql, ref->location, WrittenNames(*ref));
    if (!end) return std::nullopt;
    out.replace(ref->location, *end - ref->location, replacement);
  }
  return out;
}

}  // namespace homer::engine
