#pragma once
/// \file
/// The writer's Prometheus metrics (private to writer/).

#include "metrics/registry.h"

namespace homer::writer {

struct WriterMetrics {
  metrics::Counter& appended;
  metrics::Counter& flushed;
  metrics::Family<metrics::Counter>& flushes;
  metrics::Histogram& flush_seconds;
  static WriterMetrics& Get() {
    auto& r = metrics::Registry::Default();
    static WriterMetrics m{
        r.AddCounter("homer_writer_rows_appended_total", "Rows appended to the writer's buffer.").With({}),
        r.AddCounter("homer_writer_rows_flushed_total", "Rows moved from the buffer to the lake.").With({}),
        r.AddCounter("homer_writer_flushes_total", "Flushes to the lake by outcome (ok, failed: retried later).",
                     {"outcome"}),
        r.AddHistogram("homer_writer_flush_duration_seconds", "Duration of one flush to the lake (one commit).",
                       {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30})
            .With({}),
    };
    return m;
  }
};

}  // namespace homer::writer
