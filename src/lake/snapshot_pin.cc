#include "lake/snapshot_pin.h"

#include <charconv>

#include "duckdb/sql_text.h"
#include "lake/write_buffer.h"

namespace homer::lake {
namespace {

using duckdb::QualifiedName;
using duckdb::QuoteIdent;
using duckdb::QuoteLiteral;

arrow::Result<int64_t> ParseId(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) {
    return arrow::Status::Invalid("snapshot pin: '", std::string(text), "' is not a snapshot id");
  }
  return value;
}

std::vector<std::string_view> Split(std::string_view line, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0, at;
  while ((at = line.find(sep, start)) != std::string_view::npos) {
    out.push_back(line.substr(start, at - start));
    start = at + 1;
  }
  out.push_back(line.substr(start));
  return out;
}

}  // namespace

int64_t SnapshotPin::Version(const std::string& catalog) const {
  auto it = versions.find(catalog);
  return it == versions.end() ? -1 : it->second;
}

// Lines "v<TAB>catalog<TAB>id" and "b<TAB>buffer catalog<TAB>table<TAB>seq". Names never hold a
// tab or a newline: the engine does not pin a lake whose names do.
std::string SnapshotPin::Encode() const {
  std::string out;
  for (const auto& [catalog, id] : versions) out += "v\t" + catalog + "\t" + std::to_string(id) + "\n";
  for (const auto& [key, seq] : buffered) {
    out += "b\t" + key.first + "\t" + key.second + "\t" + std::to_string(seq) + "\n";
  }
  return out;
}

arrow::Result<SnapshotPin> SnapshotPin::Decode(std::string_view text) {
  SnapshotPin pin;
  for (std::string_view line : Split(text, '\n')) {
    if (line.empty()) continue;
    auto f = Split(line, '\t');
    if (f[0] == "v" && f.size() == 3) {
      ARROW_ASSIGN_OR_RAISE(pin.versions[std::string(f[1])], ParseId(f[2]));
    } else if (f[0] == "b" && f.size() == 4) {
      const std::pair<std::string, std::string> key{std::string(f[1]), std::string(f[2])};
      ARROW_ASSIGN_OR_RAISE(pin.buffered[key], ParseId(f[3]));
    } else {
      return arrow::Status::Invalid("snapshot pin: malformed entry (not issued by homer-node)");
    }
  }
  return pin;
}

std::string PinnedFrom(const std::string& catalog, const std::string& schema, const std::string& table,
                       const std::string& alias, const SnapshotPin* pin) {
  std::string sql = QualifiedName(catalog, schema, table) + " AS " + QuoteIdent(alias);
  const int64_t version = pin ? pin->Version(catalog) : -1;
  if (version >= 0) sql += " AT (VERSION => " + std::to_string(version) + ")";
  return sql;
}

std::string CurrentPinSql(const std::vector<std::string>& catalogs,
                          const std::vector<std::pair<std::string, std::string>>& buffer_tables) {
  std::string sql;
  auto add = [&](const std::string& branch) { sql += (sql.empty() ? "" : " UNION ALL ") + branch; };
  // The snapshot DuckLake itself would read now (~1.4 ms a catalog). Not the highest id in the
  // metadata database: a catalog this process writes shows its writer's snapshot there before
  // DuckLake's readers see it (a pin then named a snapshot no query could read yet).
  for (const auto& c : catalogs) {
    add("SELECT 'v', " + QuoteLiteral(c) + ", '', CAST(id AS VARCHAR) FROM ducklake_current_snapshot(" +
        QuoteLiteral(c) + ")");
  }
  for (const auto& [buffer, table] : buffer_tables) {
    add("SELECT 'b', " + QuoteLiteral(buffer) + ", " + QuoteLiteral(table) + ", CAST(coalesce(max(" +
        QuoteIdent(kSeqColumn) + "), 0) AS VARCHAR) FROM " + QualifiedName(buffer, "main", table));
  }
  return sql;
}

arrow::Result<SnapshotPin> PinFromRows(const std::vector<std::vector<std::string>>& rows) {
  SnapshotPin pin;
  for (const auto& row : rows) {
    if (row.size() != 4) return arrow::Status::Invalid("snapshot pin: unexpected row");
    ARROW_ASSIGN_OR_RAISE(int64_t value, ParseId(row[3]));
    if (row[0] == "v") pin.versions[row[1]] = value;
    else pin.buffered[{row[1], row[2]}] = value;
  }
  return pin;
}

}  // namespace homer::lake
