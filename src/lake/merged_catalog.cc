#include "lake/merged_catalog.h"

#include <map>
#include <set>

#include "duckdb/sql_text.h"
#include "lake/hep_tables.h"
#include "lake/move_marks.h"
#include "lake/write_buffer.h"

namespace homer::lake {
namespace {

using duckdb::Exec;
using duckdb::QueryColumn;
using duckdb::QualifiedName;
using duckdb::QueryRows;
using duckdb::QuoteIdent;
using duckdb::QuoteLiteral;

constexpr const char* kVolumeColumn = "storage_volume";
constexpr const char* kLakeColumn = "storage_lake";
constexpr const char* kNotAttached = "' is not attached to this node";

}  // namespace

std::string NotAttachedMessage(const MergedVolume& volume) {
  return "volume '" + volume.label + kNotAttached + " (" + volume.not_attached +
         "), so the merged lake cannot answer; attaching is retried at every catalog refresh. To query the other "
         "volumes only, filter on storage_volume";
}

bool IsNotAttachedError(const std::string& message, const std::string& label) {
  return message.find("volume '" + label + kNotAttached) != std::string::npos;
}

arrow::Status LinkMoves(const duckdb::Connection& con, std::vector<MergedVolume>* volumes) {
  ARROW_ASSIGN_OR_RAISE(auto with_marks,
                        QueryColumn(con, "SELECT database_name FROM duckdb_tables() WHERE schema_name = " +
                                             QuoteLiteral(kPolicySchema) + " AND table_name = " +
                                             QuoteLiteral(kMovedTable)));
  const std::set<std::string> marked(with_marks.begin(), with_marks.end());
  for (size_t i = 0; i < volumes->size(); ++i) {
    auto& v = (*volumes)[i];
    v.moves_into.clear();
    if (i + 1 == volumes->size() || !v.not_attached.empty()) continue;
    const auto& next = (*volumes)[i + 1];
    if (next.not_attached.empty() && marked.count(next.catalog)) v.moves_into = next.catalog;
  }
  return arrow::Status::OK();
}

arrow::Result<std::vector<MergedTable>> ReadMergedTables(const duckdb::Connection& con,
                                                         const std::vector<MergedVolume>& volumes) {
  std::vector<MergedTable> tables;
  std::map<std::string, size_t> index;
  for (const auto& volume : volumes) {
    if (!volume.not_attached.empty()) continue;
    ARROW_ASSIGN_OR_RAISE(
        auto rows, QueryRows(con, "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE database_name = " +
                                      QuoteLiteral(volume.catalog) +
                                      " AND schema_name = 'main' ORDER BY table_name, column_index"));
    for (const auto& row : rows) {
      auto [it, fresh] = index.try_emplace(row[0], tables.size());
      if (fresh) tables.push_back(MergedTable{row[0], {}, {}});
      MergedTable& t = tables[it->second];
      auto& mine = t.volume_columns[volume.label];
      bool known = false;
      for (const auto& [name, type] : t.columns) known = known || name == row[1];
      if (!known) t.columns.emplace_back(row[1], row[2]);
      mine[row[1]] = row[2];
    }
    if (volume.buffer_catalog.empty()) continue;
    ARROW_ASSIGN_OR_RAISE(
        auto buffered, QueryRows(con, "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE "
                                      "database_name = " + QuoteLiteral(volume.buffer_catalog) +
                                      " AND schema_name = 'main' ORDER BY table_name, column_index"));
    for (const auto& row : buffered) {
      auto it = index.find(row[0]);  // a buffer table without its lake table is not readable yet
      if (it != index.end()) tables[it->second].buffer_columns[volume.label][row[1]] = row[2];
    }
  }
  return tables;
}

namespace {

/// A branch that raises NotAttachedMessage when scanned. Every column is the error too, not a
/// NULL: a filter on a column would otherwise drop the branch and answer without the volume.
/// Only a filter on storage_volume (a constant here) removes it.
std::string MissingBranchSql(const MergedTable& table, const MergedVolume& volume) {
  const std::string fail = "error(" + QuoteLiteral(NotAttachedMessage(volume)) + ")";
  const std::string label = QuoteLiteral(volume.label), catalog = QuoteLiteral(volume.catalog);
  std::string sql = "SELECT ";
  bool own_label = false, own_catalog = false;
  for (const auto& [name, type] : table.columns) {
    own_label = own_label || name == kVolumeColumn;
    own_catalog = own_catalog || name == kLakeColumn;
    const std::string value = name == kVolumeColumn ? label
                              : name == kLakeColumn ? catalog
                                                    : "CAST(" + fail + " AS " + type + ")";
    sql += value + " AS " + QuoteIdent(name) + ", ";
  }
  if (!own_label) sql += label + " AS " + kVolumeColumn + ", ";
  if (!own_catalog) sql += catalog + " AS " + kLakeColumn + ", ";
  sql.resize(sql.size() - 2);
  return sql + " FROM (SELECT 1) WHERE " + fail + " IS NULL";
}

/// The select list of one branch: this source's columns, casts, or typed NULLs in the merged
/// table's order, then the volume's constant columns.
std::string BranchColumns(const MergedTable& table, const std::map<std::string, std::string>& mine,
                          const MergedVolume& volume) {
  std::string sql;
  bool own_label = false, own_catalog = false;
  for (const auto& [name, type] : table.columns) {
    own_label = own_label || name == kVolumeColumn;
    own_catalog = own_catalog || name == kLakeColumn;
    auto it = mine.find(name);
    if (it == mine.end()) sql += "CAST(NULL AS " + type + ") AS " + QuoteIdent(name);
    else if (it->second != type) sql += "CAST(" + QuoteIdent(name) + " AS " + type + ") AS " + QuoteIdent(name);
    else sql += QuoteIdent(name);
    sql += ", ";
  }
  if (!own_label) sql += QuoteLiteral(volume.label) + " AS " + kVolumeColumn + ", ";
  if (!own_catalog) sql += QuoteLiteral(volume.catalog) + " AS " + kLakeColumn + ", ";
  sql.resize(sql.size() - 2);
  return sql;
}

/// The buffered rows of a pinned read: those above the pinned mark, up to the highest the pin
/// saw. Rows the writer cleared since (flushed after the pin, then reclaimed) fail the query:
/// the pinned snapshot of the lake does not hold them either.
std::string PinnedBufferCondition(const MergedTable& table, const MergedVolume& volume, const SnapshotPin& pin) {
  auto it = pin.buffered.find({volume.buffer_catalog, table.name});
  const std::string highest = it == pin.buffered.end() ? "0" : std::to_string(it->second);
  const std::string mark = FlushedSeqSql(volume.catalog, table.name, &pin);
  const std::string seq = QuoteIdent(kSeqColumn);
  const std::string range = seq + " > " + mark + " AND " + seq + " <= " + highest;
  const std::string held = "(SELECT count(*) FROM " + QualifiedName(volume.buffer_catalog, "main", table.name) +
                           " WHERE " + range + ")";
  const std::string gone = "error(" + QuoteLiteral("rows buffered when this ticket was issued have left the buffer "
                                                   "of volume '" + volume.label + "': call GetFlightInfo again") + ")";
  return range + " AND CASE WHEN " + held + " < " + highest + " - " + mark + " THEN " + gone + " ELSE true END";
}

}  // namespace

std::string MergedViewSql(const MergedTable& table, const std::vector<MergedVolume>& volumes, const SnapshotPin* pin) {
  std::string sql;
  for (const auto& volume : volumes) {
    if (!volume.not_attached.empty()) {
      if (!sql.empty()) sql += "\nUNION ALL\n";
      sql += MissingBranchSql(table, volume);
      continue;
    }
    auto holder = table.volume_columns.find(volume.label);
    if (holder == table.volume_columns.end()) continue;
    // This volume's columns and types decide between the column, a cast, or a typed NULL.
    if (!sql.empty()) sql += "\nUNION ALL\n";
    // Moves are by date partition: a table without `date` is never moved.
    const bool moved = !volume.moves_into.empty() && holder->second.count(kPartitionColumn);
    sql += "SELECT " + BranchColumns(table, holder->second, volume) + " FROM " +
           (moved  ? SourceWithoutMovedSql(volume.catalog, table.name, volume.moves_into, pin)
            : pin ? PinnedFrom(volume.catalog, "main", table.name, table.name, pin)
                   : QualifiedName(volume.catalog, "main", table.name));
    auto buffered = table.buffer_columns.find(volume.label);
    if (buffered == table.buffer_columns.end()) continue;
    // Rows still in the writer's buffer: those above the mark of this query's snapshot of the
    // volume (the same catalog as the branch above, so the same snapshot).
    sql += "\nUNION ALL\nSELECT " + BranchColumns(table, buffered->second, volume) + " FROM " +
           QualifiedName(volume.buffer_catalog, "main", table.name) + " WHERE " +
           (pin ? PinnedBufferCondition(table, volume, *pin)
                : QuoteIdent(kSeqColumn) + " > " + FlushedSeqSql(volume.catalog, table.name));
  }
  return sql;
}

arrow::Status WriteMergedViews(const duckdb::Connection& con, const std::string& lake_name,
                               const std::vector<MergedVolume>& volumes, const std::vector<MergedTable>& tables) {
  ARROW_ASSIGN_OR_RAISE(auto existing,
                        QueryColumn(con, "SELECT view_name FROM duckdb_views() WHERE database_name = " +
                                             QuoteLiteral(lake_name) + " AND schema_name = 'main' AND NOT internal"));
  std::set<std::string> keep;
  return duckdb::InTransaction(con, [&]() -> arrow::Status {
    for (const auto& table : tables) {
      keep.insert(table.name);
      ARROW_RETURN_NOT_OK(Exec(con, "CREATE OR REPLACE VIEW " + QualifiedName(lake_name, "main", table.name) +
                                        " AS " + MergedViewSql(table, volumes)));
    }
    for (const auto& view : existing) {
      if (!keep.count(view)) ARROW_RETURN_NOT_OK(Exec(con, "DROP VIEW " + QualifiedName(lake_name, "main", view)));
    }
    return arrow::Status::OK();
  });
}

}  // namespace homer::lake
