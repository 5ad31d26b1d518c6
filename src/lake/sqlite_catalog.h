#pragma once
/// \file
/// A DuckLake catalog kept in a SQLite file, as the writer needs it: in WAL mode, so that the
/// node's queries (which hold a read transaction on the catalog for as long as they run) never
/// make the writer's commits fail with "database is locked". DuckDB creates catalogs with
/// SQLite's default rollback journal, where one reader blocks every commit.

#include <arrow/result.h>
#include <arrow/status.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

struct sqlite3;

namespace homer::lake {

/// Switch the SQLite file at `path` to WAL (creating the file when it does not exist). The mode
/// is stored in the file, so every later opener (DuckDB, another node) uses it.
arrow::Status EnsureWalJournal(const std::string& path);

/// A read-only connection to a catalog another process (or library) writes: tells when it
/// changed and copies it. Holds no lock between calls. Read-only, so this library never writes
/// a file another SQLite library of the process may have open (not even a hot journal's rollback).
class LiveCatalog {
 public:
  static arrow::Result<std::unique_ptr<LiveCatalog>> Open(const std::string& path);
  ~LiveCatalog();

  /// SQLite's data_version: it changes with every commit of another connection (a file's time
  /// does not: two commits in one clock tick leave it as it was).
  arrow::Result<int64_t> Version();

  /// Table name -> its column names, in order.
  using Tables = std::map<std::string, std::vector<std::string>>;

  /// Copy the catalog into `dest` (replaced) with SQLite's online backup: one read transaction,
  /// so the copy is one committed state. Returns the copy's tables (read here: DuckDB's
  /// duckdb_tables() visits every attached catalog, ~60 ms with a few DuckLakes attached).
  arrow::Result<Tables> CopyTo(const std::string& dest);

  /// True when `path` is no longer the file this connection has open (replaced or removed).
  bool Replaced() const;

 private:
  LiveCatalog() = default;
  std::string path_;
  ::sqlite3* db_ = nullptr;
  unsigned long inode_ = 0;
};

/// The file's journal mode ("wal", "delete", ...).
arrow::Result<std::string> JournalMode(const std::string& path);

}  // namespace homer::lake
