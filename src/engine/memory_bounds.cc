#include "engine/memory_bounds.h"

#include "config/byte_size.h"
#include "duckdb/allocator_limits.h"
#include "metrics/registry.h"

namespace homer::engine {

arrow::Status ApplyMemoryBounds(const config::DuckLakeConfig& config) {
  static const std::string kAllocation = "node.ducklake.max_allocation_size";
  static const std::string kCeiling = "node.ducklake.memory_ceiling";
  duckdb::AllocatorLimits limits;
  limits.max_allocation_name = kAllocation;
  limits.ceiling_name = kCeiling;
  auto allocation = config::ParseByteSize(config.max_allocation_size);
  if (!allocation) return arrow::Status::Invalid(kAllocation, ": '", config.max_allocation_size, "' is not a size");
  limits.max_allocation = *allocation;
  limits.max_allocation_text = config.max_allocation_size;
  if (!config.memory_ceiling.empty()) {
    auto ceiling = config::ParseByteSize(config.memory_ceiling);
    if (!ceiling) return arrow::Status::Invalid(kCeiling, ": '", config.memory_ceiling, "' is not a size");
    limits.ceiling = *ceiling;
    limits.ceiling_text = config.memory_ceiling;
  } else if (auto limit = config::ParseByteSize(config.memory_limit)) {
    limits.ceiling = 2 * *limit;  // a percentage memory_limit leaves it unset
    limits.ceiling_text = "unset: twice memory_limit " + config.memory_limit;
  }
  duckdb::LimitAllocations(limits);

  auto& registry = metrics::Registry::Default();
  static auto& refusals = registry.AddCounter(
      "homer_memory_refusals_total", "Queries failed by a bound on DuckDB's memory, by bound (its config key).",
      {"bound"});
  refusals.With({kAllocation});  // both shown from the start, at 0
  refusals.With({kCeiling});
  duckdb::OnRefusedAllocation([](const std::string& bound) { refusals.With({bound}).Add(); });
  static const uint64_t gauge = registry.AddGauge(
      "homer_duckdb_allocated_bytes", "Bytes DuckDB's allocator holds (node.ducklake.memory_ceiling bounds it).", {},
      [] { return metrics::GaugeSamples{{{}, static_cast<double>(duckdb::AllocatedBytes())}}; });
  (void)gauge;
  return arrow::Status::OK();
}

}  // namespace homer::engine
