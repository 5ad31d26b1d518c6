#include "lake/sqlite_catalog.h"

#include <arrow/result.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <memory>

#include "duckdb/sql_text.h"

namespace homer::lake {
namespace {

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
using Db = std::unique_ptr<sqlite3, CloseDb>;

arrow::Result<Db> Open(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) {
    return arrow::Status::IOError("catalog ", path, ": ", raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
  }
  sqlite3_busy_timeout(db.get(), 5000);  // a writer committing right now
  return db;
}

/// The first column of every row of `sql`, as text.
arrow::Result<std::vector<std::string>> Column(sqlite3* db, const std::string& path, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    return arrow::Status::IOError("catalog ", path, ": ", sqlite3_errmsg(db));
  }
  std::vector<std::string> out;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    const auto* text = sqlite3_column_text(stmt, 0);
    out.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) return arrow::Status::IOError("catalog ", path, ": ", sqlite3_errmsg(db));
  return out;
}

/// A pragma's value ("" when it returns no row).
arrow::Result<std::string> Pragma(sqlite3* db, const std::string& path, const char* sql) {
  ARROW_ASSIGN_OR_RAISE(auto values, Column(db, path, sql));
  return values.empty() ? std::string() : values.front();
}

}  // namespace

arrow::Status EnsureWalJournal(const std::string& path) {
  ARROW_ASSIGN_OR_RAISE(auto db, Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
  ARROW_ASSIGN_OR_RAISE(auto mode, Pragma(db.get(), path, "PRAGMA journal_mode=WAL"));
  if (mode != "wal") return arrow::Status::IOError("catalog ", path, ": could not switch to WAL (mode is ", mode, ")");
  return arrow::Status::OK();
}

arrow::Result<std::unique_ptr<LiveCatalog>> LiveCatalog::Open(const std::string& path) {
  ARROW_ASSIGN_OR_RAISE(auto db, lake::Open(path, SQLITE_OPEN_READONLY));
  std::unique_ptr<LiveCatalog> live(new LiveCatalog());
  live->path_ = path;
  live->db_ = db.release();
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) live->inode_ = st.st_ino;
  return live;
}

LiveCatalog::~LiveCatalog() { sqlite3_close(db_); }

arrow::Result<int64_t> LiveCatalog::Version() {
  ARROW_ASSIGN_OR_RAISE(auto text, Pragma(db_, path_, "PRAGMA data_version"));
  return std::stoll(text.empty() ? "0" : text);
}

arrow::Result<LiveCatalog::Tables> LiveCatalog::CopyTo(const std::string& dest) {
  ARROW_ASSIGN_OR_RAISE(auto dst, lake::Open(dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
  sqlite3_backup* backup = sqlite3_backup_init(dst.get(), "main", db_, "main");
  if (backup == nullptr) return arrow::Status::IOError("catalog copy ", dest, ": ", sqlite3_errmsg(dst.get()));
  // All pages in one step: one read transaction. A writer holding the lock makes it busy (the
  // busy timeout waits first); then it is tried again.
  int rc = SQLITE_OK;
  for (int attempt = 0; attempt < 3; ++attempt) {
    rc = sqlite3_backup_step(backup, -1);
    if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
    sqlite3_sleep(20);
  }
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) return arrow::Status::IOError("catalog ", path_, ": copy failed: ", sqlite3_errstr(rc));
  Tables tables;
  ARROW_ASSIGN_OR_RAISE(auto names, Column(dst.get(), dest, "SELECT name FROM sqlite_master WHERE type = 'table' "
                                                            "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"));
  for (const auto& name : names) {
    ARROW_ASSIGN_OR_RAISE(tables[name], Column(dst.get(), dest, "SELECT name FROM pragma_table_info(" +
                                                                    duckdb::QuoteLiteral(name) + ") ORDER BY cid"));
  }
  return tables;
}

bool LiveCatalog::Replaced() const {
  struct stat st {};
  return ::stat(path_.c_str(), &st) != 0 || st.st_ino != inode_;
}

arrow::Result<std::string> JournalMode(const std::string& path) {
  ARROW_ASSIGN_OR_RAISE(auto db, Open(path, SQLITE_OPEN_READONLY));
  return Pragma(db.get(), path, "PRAGMA journal_mode");
}

}  // namespace homer::lake
