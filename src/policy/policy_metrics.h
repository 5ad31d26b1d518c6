#pragma once
/// \file
/// The storage policy's Prometheus metrics (private to policy/).

#include "metrics/registry.h"

namespace homer::policy {

struct PolicyMetrics {
  metrics::Family<metrics::Counter>& moves;
  metrics::Counter& moved_rows;
  metrics::Counter& moved_bytes;
  metrics::Counter& expired_rows;
  metrics::Family<metrics::Counter>& rewrites;
  metrics::Family<metrics::Counter>& maintenance;
  static PolicyMetrics& Get() {
    auto& r = metrics::Registry::Default();
    static PolicyMetrics m{
        r.AddCounter("homer_policy_moves_total", "Date partitions moved to the next volume, by outcome.",
                     {"outcome"}),
        r.AddCounter("homer_policy_moved_rows_total", "Rows moved to the next volume.").With({}),
        r.AddCounter("homer_policy_moved_bytes_total", "Bytes of Parquet written by moves.").With({}),
        r.AddCounter("homer_policy_expired_rows_total", "Rows deleted by retention.").With({}),
        r.AddCounter("homer_policy_rewrites_total", "Date partitions rewritten by compaction, by outcome.",
                     {"outcome"}),
        r.AddCounter("homer_policy_maintenance_steps_total",
                     "DuckLake maintenance steps run by the compaction schedule, by step and outcome.",
                     {"step", "outcome"}),
    };
    return m;
  }
};

}  // namespace homer::policy
