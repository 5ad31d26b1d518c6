#include "flightsql/plan_cache.h"

namespace homer::flightsql {

std::optional<PlanCache::Entry> PlanCache::Lookup(const std::string& sql, uint64_t catalog_version) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(sql);
  if (it == entries_.end()) return std::nullopt;
  if (it->second.catalog_version != catalog_version) {
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second.entry;
}

void PlanCache::Store(const std::string& sql, uint64_t catalog_version, Entry entry) {
  std::lock_guard lock(mutex_);
  if (entries_.size() >= max_entries_) {  // a simple bound: dashboards repeat few statements
    entries_.clear();
    sql_by_run_sql_.clear();
  }
  if (entry.run_sql != sql) sql_by_run_sql_[entry.run_sql] = sql;
  entries_[sql] = Versioned{catalog_version, std::move(entry)};
}

void PlanCache::CheckStreamSchema(const std::string& run_sql, const arrow::Schema& actual) {
  std::lock_guard lock(mutex_);
  auto alias = sql_by_run_sql_.find(run_sql);
  auto it = entries_.find(alias == sql_by_run_sql_.end() ? run_sql : alias->second);
  if (it != entries_.end() && !it->second.entry.schema->Equals(actual)) entries_.erase(it);
}

}  // namespace homer::flightsql
