#include "engine/sandbox.h"

#include <nlohmann/json.hpp>

#include <set>
#include <string_view>

#include "duckdb/database.h"
#include "duckdb/sql_text.h"
#include "duckdb/statement.h"
#include "engine/status_mark.h"

namespace homer::engine {
namespace {

using duckdb::Exec;
using duckdb::QuoteLiteral;

constexpr std::string_view kRejected = "SQL validation failed: ";

/// Table functions a query may call: generators, Parquet readers that go through DuckDB's
/// sandboxed file system, catalog introspection and DuckLake's read-only views. Anything else
/// (sqlite_*, postgres_*, ducklake maintenance, query/query_table, text/blob/CSV/JSON readers,
/// ...) is refused.
const std::set<std::string, std::less<>>& AllowedTableFunctions() {
  static const std::set<std::string, std::less<>> kAllowed = {
      // generators and values
      "range", "generate_series", "unnest", "repeat", "repeat_row", "json_each", "json_tree",
      "test_all_types",
      // Parquet readers (file access checked against allowed_directories). Only Parquet: DuckDB
      // also lets a locked-down database read its attached catalog files and its spill folder,
      // which text, blob, CSV and JSON readers would hand out byte for byte.
      "read_parquet", "parquet_scan", "parquet_metadata", "parquet_schema", "parquet_file_metadata",
      "parquet_kv_metadata", "parquet_bloom_probe", "glob",
      // catalog introspection
      "duckdb_columns", "duckdb_constraints", "duckdb_databases", "duckdb_dependencies", "duckdb_extensions",
      "duckdb_functions", "duckdb_indexes", "duckdb_keywords", "duckdb_schemas", "duckdb_sequences",
      "duckdb_settings", "duckdb_tables", "duckdb_types", "duckdb_views", "duckdb_temporary_files",
      "duckdb_memory", "duckdb_optimizers", "duckdb_approx_database_count", "pragma_table_info",
      "pragma_show", "pragma_storage_info", "pragma_database_size", "pragma_version", "pragma_platform",
      "pragma_metadata_info", "pragma_user_agent", "pragma_collations", "show_databases", "show_tables",
      "show_tables_expanded", "table_info", "summary",
      // DuckLake's read-only views
      "ducklake_snapshots", "ducklake_table_info", "ducklake_list_files", "ducklake_table_changes",
      "ducklake_table_insertions", "ducklake_table_deletions", "ducklake_current_snapshot",
      "ducklake_last_committed_snapshot", "ducklake_options",
  };
  return kAllowed;
}

void CollectTableFunctions(const nlohmann::json& node, std::vector<std::string>* names) {
  if (node.is_object()) {
    auto type = node.find("type");
    if (type != node.end() && type->is_string() && *type == "TABLE_FUNCTION") {
      const auto& fn = node.value("function", nlohmann::json::object());
      names->push_back(fn.value("function_name", std::string("?")));
    }
    for (const auto& [key, child] : node.items()) CollectTableFunctions(child, names);
  } else if (node.is_array()) {
    for (const auto& child : node) CollectTableFunctions(child, names);
  }
}

/// Every table reference of the tree (BASE_TABLE: tables and views; table functions are apart).
void CollectTables(const nlohmann::json& node, std::vector<TableRef>* tables, bool in_expression = false) {
  if (node.is_object()) {
    auto type = node.find("type");
    if (type != node.end() && type->is_string() && *type == "BASE_TABLE") {
      auto at = node.find("at_clause");
      tables->push_back({node.value("catalog_name", std::string()), node.value("schema_name", std::string()),
                         node.value("table_name", std::string()), node.value("alias", std::string()),
                         node.value("query_location", static_cast<size_t>(-1)), at != node.end() && !at->is_null(),
                         in_expression});
    }
    auto kind = node.find("class");
    in_expression = in_expression || (kind != node.end() && kind->is_string() && *kind == "SUBQUERY");
    for (const auto& [key, child] : node.items()) CollectTables(child, tables, in_expression);
  } else if (node.is_array()) {
    for (const auto& child : node) CollectTables(child, tables, in_expression);
  }
}

arrow::Status Rejected(const std::string& why) { return arrow::Status::Invalid(std::string(kRejected), why); }

/// Marks the refusal of a statement that parsed but is not a SELECT.
constexpr const char* kNonQuery = "not a query";

}  // namespace

arrow::Status ApplySandboxSettings(const duckdb::Connection& con, const SandboxPaths& paths) {
  std::string dirs = "[";
  for (size_t i = 0; i < paths.allowed_directories.size(); ++i) {
    if (i) dirs += ", ";
    dirs += QuoteLiteral(paths.allowed_directories[i]);
  }
  dirs += "]";
  ARROW_RETURN_NOT_OK(Exec(con, "SET allowed_directories = " + dirs));
  ARROW_RETURN_NOT_OK(Exec(con, "SET enable_external_access = false"));
  ARROW_RETURN_NOT_OK(Exec(con, "SET autoload_known_extensions = false"));
  ARROW_RETURN_NOT_OK(Exec(con, "SET autoinstall_known_extensions = false"));
  ARROW_RETURN_NOT_OK(Exec(con, "SET allow_unredacted_secrets = false"));
  return Exec(con, "SET lock_configuration = true");
}

arrow::Status CheckSqlText(const std::string& sql) {
  const size_t nul = sql.find('\0');
  if (nul != std::string::npos) return Rejected("the SQL holds a NUL character at byte " + std::to_string(nul));
  return arrow::Status::OK();
}

arrow::Status CheckQuery(const duckdb::Connection& con, const std::string& sql, std::vector<TableRef>* tables) {
  auto count = duckdb::CountStatements(con, sql);
  if (!count.ok()) return Rejected(count.status().message().empty() ? "no statement given" : count.status().message());
  if (*count > 1) return Rejected("exactly one statement is allowed, got " + std::to_string(*count));

  // DuckDB's own parser, as a JSON tree; it only serialises SELECT statements.
  ARROW_ASSIGN_OR_RAISE(auto text, duckdb::QueryValue(con, "SELECT json_serialize_sql(CAST($1 AS VARCHAR))", {sql}));
  nlohmann::json tree = nlohmann::json::parse(text.empty() ? "{}" : text, nullptr, /*allow_exceptions=*/false);
  if (tree.is_discarded() || tree.value("error", true)) {
    std::string why = tree.is_discarded() ? "cannot parse" : tree.value("error_message", "cannot parse");
    // json_serialize_sql serialises exactly the SELECT statement type; its refusal is the verdict.
    if (why.find("Only SELECT statements") != std::string::npos) {
      return WithMark(Rejected("only SELECT queries are allowed (the node is read-only)"), kNonQuery);
    }
    return Rejected(why);
  }
  std::vector<std::string> functions;
  CollectTableFunctions(tree, &functions);
  for (const auto& name : functions) {
    if (!AllowedTableFunctions().count(name)) {
      return Rejected("table function '" + name + "' is not allowed on this read-only node");
    }
  }
  if (tables) CollectTables(tree, tables);
  return arrow::Status::OK();
}

bool IsRefusedNonQuery(const arrow::Status& status) {
  return HasMark(status, kNonQuery);
}

arrow::Status CheckedQueries::Check(const duckdb::Connection& con, const std::string& sql,
                                    std::vector<TableRef>* tables) {
  {
    std::lock_guard lock(mutex_);
    auto it = passed_.find(sql);
    if (it != passed_.end()) {
      if (tables) *tables = it->second;
      return arrow::Status::OK();
    }
  }
  std::vector<TableRef> named;
  ARROW_RETURN_NOT_OK(CheckQuery(con, sql, &named));
  size_t size = sql.size();
  for (const auto& t : named) size += sizeof(TableRef) + t.catalog.size() + t.schema.size() + t.name.size();
  if (tables) *tables = named;
  std::lock_guard lock(mutex_);
  if (bytes_ + size > max_bytes_) {
    passed_.clear();
    bytes_ = 0;
  }
  if (passed_.emplace(sql, std::move(named)).second) bytes_ += size;
  return arrow::Status::OK();
}

arrow::Status CheckPreparedIsSelect(const duckdb::Statement& prepared) {
  if (!prepared.IsSelect()) {
    return Rejected("only SELECT queries are allowed (the node is read-only)");
  }
  return arrow::Status::OK();
}

}  // namespace homer::engine
