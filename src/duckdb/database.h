#pragma once
/// \file
/// A DuckDB database and its connections, and the few calls every other folder makes on them
/// (run a statement, read a small result as text, interrupt). This header does not include
/// duckdb.h: the handles are opaque outside src/duckdb/, so DuckDB's C API stays in this folder.

#include <arrow/result.h>
#include <arrow/status.h>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

struct _duckdb_database;
struct _duckdb_connection;

namespace homer::duckdb {

/// A move-only owner of one C API handle (a pointer to a `_duckdb_*` struct), destroyed by
/// `Destroy`; get() lends the raw handle, which must not outlive its owner.
template <typename Raw, void (*Destroy)(Raw**)>
class Owned {
 public:
  Owned() = default;
  explicit Owned(Raw* handle) : handle_(handle) {}
  Owned(const Owned&) = delete;
  Owned& operator=(const Owned&) = delete;
  Owned(Owned&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  Owned& operator=(Owned&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
  }
  ~Owned() { reset(); }

  Raw* get() const { return handle_; }
  /// Out-parameter for the C API's create functions; releases what was held.
  Raw** out() {
    reset();
    return &handle_;
  }
  explicit operator bool() const { return handle_ != nullptr; }
  void reset() {
    if (handle_) Destroy(&handle_);
    handle_ = nullptr;
  }

 private:
  Raw* handle_ = nullptr;
};

/// duckdb_close and duckdb_disconnect, declared without duckdb.h.
void CloseDatabase(_duckdb_database** db);
void CloseConnection(_duckdb_connection** con);

using Database = Owned<_duckdb_database, CloseDatabase>;
using Connection = Owned<_duckdb_connection, CloseConnection>;

struct DatabaseOptions {
  std::string extension_dir;  ///< a DuckDB extension_directory holding the bundled extensions
  int threads = 0;            ///< 0: DuckDB's default
  std::string memory_limit;   ///< "" keeps DuckDB's default
  std::string temp_directory;
  std::string max_temp_directory_size;  ///< "" keeps DuckDB's default (90% of the free disk)
  std::vector<std::string> extensions = {"ducklake", "sqlite_scanner"};
  bool parquet_metadata_cache = false;  ///< keep parsed Parquet footers between queries
};

/// An in-memory database with automatic extension installs off (a missing extension is an
/// error naming the bundle, never a download) and `options.extensions` loaded.
arrow::Result<Database> OpenDatabase(const DatabaseOptions& options);

arrow::Result<Connection> Connect(const Database& db);

/// Run a statement whose result is not needed.
arrow::Status Exec(const Connection& con, const std::string& sql);

/// Run `body` between BEGIN TRANSACTION and COMMIT; ROLLBACK when either fails.
arrow::Status InTransaction(const Connection& con, const std::function<arrow::Status()>& body);

/// Run a statement and return the rows it inserted, updated or deleted (COPY: rows written).
arrow::Result<int64_t> ExecCount(const Connection& con, const std::string& sql);

/// Run a query and return all rows as text (NULL as ""); for small metadata results.
arrow::Result<std::vector<std::vector<std::string>>> QueryRows(const Connection& con, const std::string& sql);

/// Run a query and return every row's first column as text (NULL as "").
arrow::Result<std::vector<std::string>> QueryColumn(const Connection& con, const std::string& sql);

/// The first column of the first row of `sql` as text, with `texts` bound to $1, $2, ... as
/// VARCHAR values: a value never becomes SQL text.
arrow::Result<std::string> QueryValue(const Connection& con, const std::string& sql,
                                      const std::vector<std::string>& texts);

/// How many statements DuckDB's parser finds in `sql` (its parser error when it finds none).
arrow::Result<size_t> CountStatements(const Connection& con, const std::string& sql);

/// Stop what runs on `con` inside DuckDB; safe from any thread.
void Interrupt(const Connection& con);

}  // namespace homer::duckdb
