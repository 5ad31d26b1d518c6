#pragma once
/// \file
/// A DuckLake catalog kept in a SQLite file, as the writer needs it: in WAL mode, so that the
/// node's queries (which hold a read transaction on the catalog for as long as they run) never
/// make the writer's commits fail with "database is locked". DuckDB creates catalogs with
/// SQLite's default rollback journal, where one reader blocks every commit.

#include <arrow/result.h>
#include <arrow/status.h>

#include <string>

namespace homer::lake {

/// Switch the SQLite file at `path` to WAL (creating the file when it does not exist). The mode
/// is stored in the file, so every later opener (DuckDB, another node) uses it.
arrow::Status EnsureWalJournal(const std::string& path);

/// The file's journal mode ("wal", "delete", ...).
arrow::Result<std::string> JournalMode(const std::string& path);

}  // namespace homer::lake
