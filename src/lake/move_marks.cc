#include "lake/move_marks.h"

#include "duckdb/sql_text.h"
#include "lake/hep_tables.h"

namespace homer::lake {

using duckdb::QualifiedName;
using duckdb::QuoteIdent;
using duckdb::QuoteLiteral;

std::string MovedTableName(const std::string& catalog) { return QualifiedName(catalog, kPolicySchema, kMovedTable); }

std::string CreateMoveMarksSql(const std::string& catalog) {
  return "CREATE SCHEMA IF NOT EXISTS " + QuoteIdent(catalog) + "." + QuoteIdent(kPolicySchema) +
         "; CREATE TABLE IF NOT EXISTS " + MovedTableName(catalog) +
         " (table_name VARCHAR, date DATE, row_limit BIGINT, source VARCHAR, moved_at TIMESTAMPTZ); CALL " +
         QuoteIdent(catalog) + ".set_option('data_inlining_row_limit', 100000, schema => " +
         QuoteLiteral(kPolicySchema) + ", table_name => " + QuoteLiteral(kMovedTable) + ")";
}

std::string RecordMoveSql(const std::string& dst_catalog, const std::string& table, const std::string& date,
                          int64_t row_limit, const std::string& source) {
  return "INSERT INTO " + MovedTableName(dst_catalog) + " VALUES (" + QuoteLiteral(table) + ", " + QuoteLiteral(date) +
         "::DATE, " + std::to_string(row_limit) + ", " + QuoteLiteral(source) + ", now())";
}

std::string MovedRowsSql(const std::string& dst_catalog, const std::string& table, const SnapshotPin* pin) {
  return "(SELECT date, max(row_limit) AS row_limit FROM " +
         PinnedFrom(dst_catalog, kPolicySchema, kMovedTable, "_moves", pin) + " WHERE table_name = " +
         QuoteLiteral(table) + " GROUP BY date)";
}

std::string SourceWithoutMovedSql(const std::string& catalog, const std::string& table,
                                  const std::string& dst_catalog, const SnapshotPin* pin) {
  // A hash anti join on date against a table that is empty but for recent moves: user filters
  // still reach the scan below it.
  return PinnedFrom(catalog, "main", table, "_src", pin) + " ANTI JOIN " + MovedRowsSql(dst_catalog, table, pin) +
         " AS _moved ON _src." + QuoteIdent(kPartitionColumn) + " = _moved.date AND _src.rowid < _moved.row_limit";
}

}  // namespace homer::lake
