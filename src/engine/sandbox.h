#pragma once
/// \file
/// The read-only sandbox every query surface goes through.
///
/// Two layers, both DuckDB's own machinery rather than keyword matching:
///  - settings (ApplySandboxSettings): file access only below the volumes' directories,
///    extension loading off, configuration locked, lake catalogs attached READ_ONLY;
///  - the parser (CheckQuery): exactly one statement, of DuckDB's SELECT statement type, whose
///    parsed tree only calls table functions that stay inside that sandbox. Some extension
///    table functions do their own file I/O past DuckDB's file-system checks (sqlite_scan reads
///    any sqlite file) or write (DuckLake maintenance), or run SQL given as text (query()); they
///    are refused by name on the parsed tree.

#include <arrow/status.h>

#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "duckdb/database.h"

namespace homer::duckdb {
class Statement;
}

namespace homer::engine {

struct SandboxPaths {
  std::vector<std::string> allowed_directories;  ///< local dirs (with trailing /) or s3:// prefixes
};

/// Lock the database down. Run once, after every volume is attached.
arrow::Status ApplySandboxSettings(const duckdb::Connection& con, const SandboxPaths& paths);

/// Refuse SQL text DuckDB would read differently from what was sent: a NUL byte ends the text
/// for DuckDB's C API, so what follows it would be dropped silently.
arrow::Status CheckSqlText(const std::string& sql);

/// A table or view a query names, as written: parts left out are empty (`t` has no catalog
/// and no schema; `a.t` has schema a, which DuckDB also reads as catalog a, schema main).
struct TableRef {
  std::string catalog;
  std::string schema;
  std::string name;
  std::string alias;         ///< "" when the query gives none
  size_t location = 0;       ///< byte offset of the name in the SQL text (engine/pinned_sql.h)
  bool time_travel = false;  ///< the reference has its own AT (...) clause
  /// Inside a subquery expression (`(SELECT ...)`, `IN (SELECT ...)`, EXISTS): DuckDB names an
  /// unaliased result column after such an expression's text.
  bool in_expression = false;
};

/// Refuse anything but one read-only SELECT whose table functions are all allowed. The error
/// message starts with "SQL validation failed:" (the original's wording, kept for clients).
/// `tables`, when given, receives the tables and views the passed query names (from the same
/// parsed tree).
arrow::Status CheckQuery(const duckdb::Connection& con, const std::string& sql,
                         std::vector<TableRef>* tables = nullptr);

/// True for CheckQuery's refusal of one well-formed statement that is not a query (INSERT,
/// CREATE, ...): Flight SQL answers such a prepared statement as an update, which it refuses.
bool IsRefusedNonQuery(const arrow::Status& status);

/// CheckQuery with a memory of the SQL texts it passed. The verdict depends on the text alone
/// (DuckDB's parser and a fixed allowlist), so a repeated statement (a dashboard refreshing, a
/// ticket redeemed after its GetFlightInfo) skips the parse, which is most of the server's work
/// for a small query. Refusals are not remembered. Bounded: forgets everything when full.
class CheckedQueries {
 public:
  explicit CheckedQueries(size_t max_bytes = 8 << 20) : max_bytes_(max_bytes) {}
  /// CheckQuery; `tables` (when given) receives the tables the query names, remembered too.
  arrow::Status Check(const duckdb::Connection& con, const std::string& sql, std::vector<TableRef>* tables = nullptr);

 private:
  const size_t max_bytes_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::vector<TableRef>> passed_;
  size_t bytes_ = 0;
};

/// The same check for an already prepared statement: its DuckDB statement type must be SELECT.
arrow::Status CheckPreparedIsSelect(const duckdb::Statement& prepared);

}  // namespace homer::engine
