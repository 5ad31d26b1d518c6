#include "lake/write_buffer.h"

#include "duckdb/sql_text.h"

namespace homer::lake {

using duckdb::QualifiedName;
using duckdb::QuoteIdent;
using duckdb::QuoteLiteral;

namespace {
std::string Marks(const std::string& lake_catalog) { return QualifiedName(lake_catalog, kMarksSchema, kMarksTable); }
}  // namespace

std::string CreateBufferTableSql(const std::string& buffer_catalog, const std::string& table, HepSchema schema) {
  std::string columns;
  for (const auto& c : HepColumns(schema)) columns += QuoteIdent(c.name) + " " + c.type + ", ";
  return "CREATE TABLE IF NOT EXISTS " + QualifiedName(buffer_catalog, "main", table) + " (" + columns +
         QuoteIdent(kSeqColumn) + " BIGINT NOT NULL)";
}

std::string CreateMarksSql(const std::string& lake_catalog) {
  return "CREATE SCHEMA IF NOT EXISTS " + QuoteIdent(lake_catalog) + "." + QuoteIdent(kMarksSchema) +
         "; CREATE TABLE IF NOT EXISTS " + Marks(lake_catalog) + " (table_name VARCHAR, seq BIGINT); CALL " +
         QuoteIdent(lake_catalog) + ".set_option('data_inlining_row_limit', 1000, schema => " +
         QuoteLiteral(kMarksSchema) + ", table_name => " + QuoteLiteral(kMarksTable) + ")";
}

std::string RecordMarkSql(const std::string& lake_catalog, const std::string& table, int64_t seq) {
  return "DELETE FROM " + Marks(lake_catalog) + " WHERE table_name = " + QuoteLiteral(table) + "; INSERT INTO " +
         Marks(lake_catalog) + " VALUES (" + QuoteLiteral(table) + ", " + std::to_string(seq) + ")";
}

std::string FlushedSeqSql(const std::string& lake_catalog, const std::string& table, const SnapshotPin* pin) {
  return "(SELECT coalesce(max(seq), 0) FROM " + PinnedFrom(lake_catalog, kMarksSchema, kMarksTable, "_marks", pin) +
         " WHERE table_name = " + QuoteLiteral(table) + ")";
}

}  // namespace homer::lake
