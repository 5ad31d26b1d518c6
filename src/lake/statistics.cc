#include "lake/statistics.h"

#include <regex>
#include <vector>

#include "duckdb/sql_text.h"
#include "lake/volume.h"

namespace homer::lake {
namespace {

using duckdb::QuoteIdent;
using duckdb::QuoteLiteral;

/// One volume a table reads: its catalog, its label, and its own table (nullptr: the merged
/// view's table for the volume itself).
struct Source {
  const LakeVolume* volume;
  const LakeTable* table;
};

std::vector<Source> SourcesOf(const CatalogSnapshot& snapshot, const LakeTable& table) {
  std::vector<Source> out;
  for (const auto& v : snapshot.volumes) {
    if (table.merged || v.catalog == table.catalog) {
      if (const LakeTable* t = snapshot.Find(v.catalog, "main", table.name)) out.push_back({&v, t});
    }
  }
  return out;
}

/// Without a schema: the metadata database's default one (main in DuckDB and SQLite files, public
/// in PostgreSQL).
std::string Meta(const std::string& catalog, const std::string& table) {
  return QuoteIdent(MetadataCatalogName(catalog)) + "." + table;
}

/// The live table's rows in a volume's metadata, as join source `t` (schema `main`).
std::string LiveTableJoin(const std::string& catalog) {
  return Meta(catalog, "ducklake_table") + " t JOIN " + Meta(catalog, "ducklake_schema") +
         " sc ON sc.schema_id = t.schema_id AND sc.end_snapshot IS NULL AND sc.schema_name = 'main'";
}

/// One volume's statistics for a column, as a VALUES row (min_value, max_value,
/// contains_null, contains_nan, missing). Each volume is read by its own query: DuckDB 1.5.5
/// returns the first catalog's rows for both when one query joins the same tables of two
/// attached sqlite metadata catalogs (reproducible with plain duckdb + ducklake).
arrow::Result<std::string> VolumeRow(const MetadataQuery& query, const Source& s, const LakeTable& merged,
                                     const std::string& column) {
  if (s.table->arrow_schema->GetFieldIndex(column) < 0) {
    if (merged.merged && (column == "storage_volume" || column == "storage_lake")) {  // the view's label columns
      const std::string label = QuoteLiteral(column == "storage_volume" ? s.volume->label : s.volume->catalog);
      return "(" + label + ", " + label + ", false, CAST(NULL AS BOOLEAN), false)";
    }
    return std::string("(CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), true, CAST(NULL AS BOOLEAN), true)");
  }
  const std::string& c = s.volume->catalog;
  // Aggregated so a volume without a statistics row still yields a row (unknown bounds).
  ARROW_ASSIGN_OR_RAISE(
      auto rows,
      query(                        "SELECT first(CAST(st.min_value AS VARCHAR)), first(CAST(st.max_value AS VARCHAR)), "
                        "CAST(coalesce(bool_or(CAST(st.contains_null AS BOOLEAN)), true) AS VARCHAR), "
                        "CAST(bool_or(CAST(st.contains_nan AS BOOLEAN)) AS VARCHAR) FROM " + LiveTableJoin(c) +
                            " JOIN " + Meta(c, "ducklake_column") +
                            " col ON col.table_id = t.table_id AND col.end_snapshot IS NULL AND col.parent_column IS NULL "
                            "AND col.column_name = " + QuoteLiteral(column) + " LEFT JOIN " +
                            Meta(c, "ducklake_table_column_stats") +
                            " st ON st.table_id = t.table_id AND st.column_id = col.column_id "
                            "WHERE t.end_snapshot IS NULL AND t.table_name = " + QuoteLiteral(s.table->name)));
  auto text = [](const std::optional<std::string>& v) { return v ? QuoteLiteral(*v) : std::string("NULL"); };
  const auto& r = rows.at(0);
  return "(CAST(" + text(r[0]) + " AS VARCHAR), CAST(" + text(r[1]) + " AS VARCHAR), CAST(" + text(r[2]) +
         " AS BOOLEAN), CAST(" + text(r[3]) + " AS BOOLEAN), false)";
}

enum class BoundKind { kNone, kValue, kString, kBlob };

/// How a type's bounds are sent: typed values, strings (never NULL: the client reads them as
/// text), or not at all (nested and other types: NULL, which clients read as unknown).
BoundKind KindOf(const std::string& type) {
  static const std::regex kValue(
      "BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|"
      "DATE|TIME|TIMESTAMP|TIMESTAMP WITH TIME ZONE|TIMESTAMP_S|TIMESTAMP_MS|TIMESTAMP_NS|UUID|DECIMAL\\(\\d+,\\d+\\)");
  if (type == "VARCHAR" || type == "JSON") return BoundKind::kString;
  if (type == "BLOB") return BoundKind::kBlob;
  return std::regex_match(type, kValue) ? BoundKind::kValue : BoundKind::kNone;
}

}  // namespace

arrow::Result<std::string> ColumnStatisticsSql(const MetadataQuery& query, const CatalogSnapshot& snapshot,
                                               const LakeTable& table, const std::string& column,
                                               const std::string& duckdb_type) {
  std::string rows;
  for (const auto& s : SourcesOf(snapshot, table)) {
    ARROW_ASSIGN_OR_RAISE(auto row, VolumeRow(query, s, table, column));
    rows += (rows.empty() ? "" : ", ") + row;
  }
  if (rows.empty()) rows = "(CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), true, CAST(NULL AS BOOLEAN), true)";
  const BoundKind kind = KindOf(duckdb_type);
  const std::string type = kind == BoundKind::kString ? "VARCHAR" : kind == BoundKind::kNone ? "VARCHAR" : duckdb_type;
  const std::string known = "count(*) FILTER (WHERE NOT missing) = count(TRY_CAST(min_value AS " + type +
                            ")) FILTER (WHERE NOT missing)";
  std::string lo = "CASE WHEN " + known + " THEN min(TRY_CAST(min_value AS " + type + ")) END";
  std::string hi = "CASE WHEN " + known + " AND NOT coalesce(bool_or(contains_nan), false) THEN max(TRY_CAST(max_value AS " +
                   type + ")) END";
  if (kind == BoundKind::kNone) lo = hi = "CAST(NULL AS VARCHAR)";
  // Bounds that hold for every string: '' and U+10FFFF twice (8 bytes, DuckDB's prefix length).
  if (kind == BoundKind::kString) {
    lo = "coalesce(" + lo + ", '')";
    hi = "coalesce(" + hi + ", chr(1114111) || chr(1114111))";
  }
  if (kind == BoundKind::kBlob) {
    lo = "coalesce(" + lo + ", CAST('' AS BLOB))";
    hi = "coalesce(" + hi + ", CAST('\\xFF\\xFF\\xFF\\xFF\\xFF\\xFF\\xFF\\xFF' AS BLOB))";
  }
  return "WITH v(min_value, max_value, contains_null, contains_nan, missing) AS (VALUES " + rows + ") SELECT " + lo +
         " AS \"min\", " + hi + " AS \"max\", true AS has_not_null, "
         "coalesce(bool_or(contains_null OR missing), true) AS has_null, CAST(0 AS UBIGINT) AS distinct_count, "
         "true AS contains_unicode FROM v";
}

arrow::Result<std::string> ColumnType(const MetadataQuery& query, const LakeTable& table, const std::string& column) {
  ARROW_ASSIGN_OR_RAISE(auto rows, query("SELECT data_type FROM duckdb_columns() WHERE "
                                                             "database_name = " + QuoteLiteral(table.catalog) +
                                                                 " AND schema_name = " + QuoteLiteral(table.schema) +
                                                                 " AND table_name = " + QuoteLiteral(table.name) +
                                                                 " AND column_name = " + QuoteLiteral(column)));
  if (rows.empty() || !rows[0][0]) {
    return arrow::Status::KeyError("table ", table.QualifiedName(), " has no column '", column, "'");
  }
  return *rows[0][0];
}

arrow::Result<int64_t> RecordCount(const MetadataQuery& query, const CatalogSnapshot& snapshot, const LakeTable& table) {
  int64_t total = 0;
  for (const auto& s : SourcesOf(snapshot, table)) {  // one query per volume: see VolumeRow
    const std::string& c = s.volume->catalog;
    ARROW_ASSIGN_OR_RAISE(auto rows, query("SELECT CAST(coalesce(sum(ts.record_count), 0) AS VARCHAR) FROM " +
                                                                   LiveTableJoin(c) + " JOIN " +
                                                                   Meta(c, "ducklake_table_stats") +
                                                                   " ts ON ts.table_id = t.table_id WHERE t.end_snapshot IS NULL "
                                                                   "AND t.table_name = " + QuoteLiteral(s.table->name)));
    if (!rows.empty() && rows[0][0]) total += std::stoll(*rows[0][0]);
  }
  return total;
}

arrow::Result<std::optional<std::pair<int64_t, int64_t>>> TimestampRange(const MetadataQuery& query,
                                                                         const CatalogSnapshot& snapshot,
                                                                         const LakeTable& table,
                                                                         const std::string& column) {
  ARROW_ASSIGN_OR_RAISE(auto stats, ColumnStatisticsSql(query, snapshot, table, column, "TIMESTAMP"));
  const std::string sql = "SELECT CAST(epoch_us(\"min\") AS VARCHAR), CAST(epoch_us(\"max\") AS VARCHAR) FROM (" +
                          stats + ")";
  ARROW_ASSIGN_OR_RAISE(auto rows, query(sql));
  if (rows.empty() || !rows[0][0] || !rows[0][1]) return std::nullopt;
  return std::make_pair(std::stoll(*rows[0][0]), std::stoll(*rows[0][1]));
}

}  // namespace homer::lake
