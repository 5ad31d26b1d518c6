#pragma once
/// \file
/// Result schemas of statement queries by SQL text, for one catalog version. A dashboard sends
/// the same statements again and again; answering their GetFlightInfo from here spares a DuckDB
/// prepare per call (the ticket's DoGet still prepares and runs the statement).
///
/// An entry lives while the engine's catalog version stays the same (the refresher bumps it
/// when a table or column changes). A DoGet whose stream schema differs from the cached one (a
/// writer changed a table between two refreshes) evicts the entry, so the next GetFlightInfo
/// prepares again.

#include <arrow/api.h>

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace homer::flightsql {

class PlanCache {
 public:
  struct Entry {
    std::shared_ptr<arrow::Schema> schema;
    std::string run_sql;  ///< the SQL the ticket runs (with Grafana's casts when configured)
  };

  explicit PlanCache(size_t max_entries = 1024) : max_entries_(max_entries) {}

  std::optional<Entry> Lookup(const std::string& sql, uint64_t catalog_version);
  void Store(const std::string& sql, uint64_t catalog_version, Entry entry);
  /// Forget the entries whose ticket runs `run_sql` unless their schema is `actual`.
  void CheckStreamSchema(const std::string& run_sql, const arrow::Schema& actual);

 private:
  struct Versioned {
    uint64_t catalog_version;
    Entry entry;
  };
  const size_t max_entries_;
  std::mutex mutex_;
  std::unordered_map<std::string, Versioned> entries_;
  std::unordered_map<std::string, std::string> sql_by_run_sql_;  ///< where the two differ
};

}  // namespace homer::flightsql
