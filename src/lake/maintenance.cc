#include "lake/maintenance.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>

#include "duckdb/database.h"
#include "duckdb/sql_text.h"
#include "lake/volume.h"
#include "metrics/registry.h"

namespace homer::lake {
namespace {

using duckdb::QuoteIdent;
using duckdb::QuoteLiteral;

/// Remove empty directories below `root` (not root itself), deepest first.
arrow::Result<int> RemoveEmptyDirectories(const std::filesystem::path& root) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return 0;
  std::vector<fs::path> dirs;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_directory(ec)) dirs.push_back(it->path());
  }
  if (ec) return arrow::Status::IOError("cannot walk ", root.string(), ": ", ec.message());
  int removed = 0;
  for (auto d = dirs.rbegin(); d != dirs.rend(); ++d) {
    if (fs::is_empty(*d, ec) && !ec && fs::remove(*d, ec)) ++removed;
  }
  return removed;
}

MaintenanceStep RunStep(const duckdb::Connection& con, const std::string& volume, const std::string& step,
                        const std::string& sql, std::mutex* gate = nullptr) {
  MaintenanceStep out{volume, step, false, "", 0};
  const auto start = std::chrono::steady_clock::now();
  std::unique_lock<std::mutex> hold;
  if (gate) hold = std::unique_lock(*gate);
  auto rows = duckdb::QueryRows(con, sql);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out.ok = rows.ok();
  out.detail = rows.ok() ? std::to_string(rows->size()) + " rows" : rows.status().message();
  return out;
}

}  // namespace

std::vector<MaintenanceStep> MaintainCatalog(const duckdb::Connection& con, const std::string& label,
                                             const std::string& catalog, const std::string& cutoff_sql,
                                             bool merge_adjacent_files, std::mutex* gate) {
  const std::string lit = QuoteLiteral(catalog);
  // DuckLake 1.5.5 on a sqlite catalog compares `older_than` with the stored times as text, so
  // any cutoff counts as the end of its UTC day (older_than => now() - 1 hour expired snapshots
  // a second old). The previous UTC midnight before the cutoff keeps at least what was asked.
  const std::string cutoff = "timezone('UTC', date_trunc('day', timezone('UTC', " + cutoff_sql + ")) - INTERVAL 1 DAY)";
  std::vector<MaintenanceStep> steps;
  steps.push_back(RunStep(con, label, "ducklake_expire_snapshots",
                          "SELECT * FROM ducklake_expire_snapshots(" + lit + ", older_than => " + cutoff + ")", gate));
  if (merge_adjacent_files) {
    steps.push_back(RunStep(con, label, "ducklake_merge_adjacent_files",
                            "SELECT * FROM ducklake_merge_adjacent_files(" + lit + ")"));
  }
  steps.push_back(RunStep(con, label, "ducklake_cleanup_old_files",
                          "SELECT * FROM ducklake_cleanup_old_files(" + lit + ", older_than => " + cutoff + ")", gate));
  steps.push_back(RunStep(con, label, "ducklake_delete_orphaned_files",
                          "SELECT * FROM ducklake_delete_orphaned_files(" + lit + ", older_than => " + cutoff +
                              ")",
                          gate));
  return steps;
}

bool VacuumReport::ok() const {
  for (const auto& s : steps) {
    if (!s.ok) return false;
  }
  return true;
}

arrow::Result<std::string> NormalizeInterval(const std::string& text, const std::string& extension_dir) {
  duckdb::DatabaseOptions options;
  options.extension_dir = extension_dir;
  options.extensions.clear();
  ARROW_ASSIGN_OR_RAISE(auto db, duckdb::OpenDatabase(options));
  ARROW_ASSIGN_OR_RAISE(auto con, duckdb::Connect(db));
  auto normal = text.empty() ? arrow::Result<std::string>(arrow::Status::Invalid("empty"))
                             : duckdb::QueryValue(con, "SELECT CAST(CAST($1 AS VARCHAR) AS INTERVAL)::VARCHAR", {text});
  if (!normal.ok()) {
    return arrow::Status::Invalid("expire_older_than: '", text, "' is not an interval (for example '7 days')");
  }
  return normal;
}

arrow::Result<VacuumReport> Vacuum(const config::ServerConfig& config, const std::string& extension_dir,
                                   const std::string& expire_older_than) {
  VacuumReport report;
  ARROW_ASSIGN_OR_RAISE(report.expire_older_than, NormalizeInterval(expire_older_than, extension_dir));
  duckdb::DatabaseOptions options;
  options.extension_dir = extension_dir;
  options.extensions.push_back("httpfs");
  for (auto& extension : VolumeExtensions(config.ducklake.volumes)) {
    if (extension != "httpfs") options.extensions.push_back(extension);
  }
  ARROW_ASSIGN_OR_RAISE(auto db, duckdb::OpenDatabase(options));
  ARROW_ASSIGN_OR_RAISE(auto con, duckdb::Connect(db));
  const std::string cutoff = "now() - INTERVAL " + QuoteLiteral(report.expire_older_than);
  for (const auto& v : config.ducklake.volumes) {
    const std::string catalog = CatalogName(config.ducklake.lake_name, v.name);
    auto st = AttachVolume(con, v, catalog, /*read_only=*/false);
    if (!st.ok()) {
      report.steps.push_back({v.name, "attach", false, st.message(), 0});
      continue;
    }
    for (auto& step : MaintainCatalog(con, v.name, catalog, cutoff)) report.steps.push_back(std::move(step));
    if (v.type == config::VolumeType::kLocal) {
      const auto start = std::chrono::steady_clock::now();
      auto removed = RemoveEmptyDirectories(DataPrefix(v));
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      report.steps.push_back({v.name, "remove_empty_directories", removed.ok(),
                              removed.ok() ? std::to_string(*removed) + " directories" : removed.status().message(),
                              secs});
    }
    (void)duckdb::Exec(con, "DETACH " + QuoteIdent(catalog));
  }
  static auto& runs = metrics::Registry::Default().AddCounter("homer_vacuum_steps_total",
                                                              "Vacuum steps run, by step and outcome.",
                                                              {"step", "outcome"});
  for (const auto& s : report.steps) {
    runs.With({s.step, s.ok ? "ok" : "failed"}).Add();
    if (!s.ok) spdlog::warn("vacuum: volume '{}' step {} failed: {}", s.volume, s.step, s.detail);
  }
  return report;
}

}  // namespace homer::lake
