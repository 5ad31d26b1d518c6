#pragma once
/// \file
/// DuckLake maintenance (the vacuum routes). The query database attaches every volume
/// read-only, so maintenance opens its own short-lived database with the volumes writable.

#include <arrow/result.h>

#include <mutex>
#include <string>
#include <vector>

#include "config/server_config.h"
#include "duckdb/database.h"

namespace homer::lake {

struct MaintenanceStep {
  std::string volume;
  std::string step;  ///< ducklake_expire_snapshots, ..., remove_empty_directories
  bool ok = false;
  std::string detail;  ///< rows affected, or the error
  double seconds = 0;
};

struct VacuumReport {
  std::string expire_older_than;  ///< the interval as DuckDB normalised it
  std::vector<MaintenanceStep> steps;
  bool ok() const;
};

/// Check that `text` is a DuckDB INTERVAL ("7 days", "1 hour") and return DuckDB's normal form.
arrow::Result<std::string> NormalizeInterval(const std::string& text, const std::string& extension_dir);

/// DuckLake's maintenance of one attached (writable) catalog: ducklake_expire_snapshots,
/// ducklake_merge_adjacent_files (unless told not to), ducklake_cleanup_old_files and ducklake_delete_orphaned_files,
/// each with `older_than` = `cutoff_sql` (a SQL timestamp expression). A failed step is reported
/// and the next one still runs. Each step holds `commit_gate` (lake/commit_gate.h) when given.
std::vector<MaintenanceStep> MaintainCatalog(const duckdb::Connection& con, const std::string& label,
                                             const std::string& catalog, const std::string& cutoff_sql,
                                             bool merge_adjacent_files = true, std::mutex* commit_gate = nullptr);

/// Run, per volume: ducklake_expire_snapshots, ducklake_merge_adjacent_files,
/// ducklake_cleanup_old_files, ducklake_delete_orphaned_files, then remove empty directories of
/// local volumes. A failed step is reported and the next volume still runs.
arrow::Result<VacuumReport> Vacuum(const config::ServerConfig& config, const std::string& extension_dir,
                                   const std::string& expire_older_than);

}  // namespace homer::lake
