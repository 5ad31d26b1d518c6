#include "lake/partitions.h"

#include "duckdb/sql_text.h"
#include "lake/volume.h"

namespace homer::lake {

using duckdb::QuoteIdent;
using duckdb::QuoteLiteral;

arrow::Result<std::vector<std::string>> ListTables(const duckdb::Connection& con, const std::string& catalog) {
  return duckdb::QueryColumn(con, "SELECT table_name FROM duckdb_tables() WHERE database_name = " +
                                      QuoteLiteral(catalog) + " AND schema_name = 'main' ORDER BY table_name");
}

arrow::Result<std::vector<PartitionFiles>> ListPartitions(const duckdb::Connection& con, const std::string& catalog,
                                                          const std::string& table) {
  // DuckDB attaches a DuckLake's catalog database as __ducklake_metadata_<name>. A file whose
  // snapshot is expired is old.
  const std::string meta = QuoteIdent(MetadataCatalogName(catalog)) + ".";
  ARROW_ASSIGN_OR_RAISE(
      auto rows,
      duckdb::QueryRows(
          con, "SELECT v.partition_value, count(*), sum(f.record_count), sum(f.file_size_bytes), "
               "bool_and(f.path LIKE " + QuoteLiteral(std::string("%") + kCompactedFilePrefix + "%") + "), "
               "coalesce(epoch(now() - max(s.snapshot_time::TIMESTAMPTZ)), 1e9) "
               "FROM " + meta + "ducklake_data_file f "
               "JOIN " + meta + "ducklake_table t ON t.table_id = f.table_id AND t.end_snapshot IS NULL "
               "JOIN " + meta + "ducklake_schema sc ON sc.schema_id = t.schema_id AND sc.end_snapshot IS NULL "
               "JOIN " + meta + "ducklake_file_partition_value v ON v.data_file_id = f.data_file_id "
               "LEFT JOIN " + meta + "ducklake_snapshot s ON s.snapshot_id = f.begin_snapshot "
               "WHERE f.end_snapshot IS NULL AND sc.schema_name = 'main' AND t.table_name = " + QuoteLiteral(table) +
               " GROUP BY 1 ORDER BY 1"));
  std::vector<PartitionFiles> out;
  for (const auto& r : rows) {
    out.push_back({r[0], std::stoll(r[1]), std::stoll(r[2]), std::stoll(r[3]), r[4] == "true",
                   r[5].empty() ? 0.0 : std::stod(r[5])});
  }
  return out;
}

}  // namespace homer::lake
