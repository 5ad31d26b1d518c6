#include "engine/query_metrics.h"

#include "engine/try_later.h"
#include "metrics/registry.h"

namespace homer::engine {
namespace {

struct Families {
  metrics::Family<metrics::Counter>& queries;
  metrics::Family<metrics::Histogram>& seconds;
  metrics::Family<metrics::Counter>& rows;
  metrics::Family<metrics::Counter>& bytes;
  metrics::Family<metrics::Counter>& partial;
};

Families& Get() {
  auto& r = metrics::Registry::Default();
  static Families families{
      r.AddCounter("homer_queries_total", "Queries by surface and outcome.", {"surface", "outcome"}),
      r.AddHistogram("homer_query_duration_seconds", "Time from a query's start to its end, by surface.",
                     {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300}, {"surface"}),
      r.AddCounter("homer_query_rows_total", "Result rows produced, by surface.", {"surface"}),
      r.AddCounter("homer_query_arrow_bytes_total", "Arrow bytes of the result batches produced, by surface.",
                   {"surface"}),
      r.AddCounter("homer_partial_answers_total",
                   "Queries answered from fewer volumes than the lake has (node.ducklake.partial_answers), by surface.",
                   {"surface"}),
  };
  return families;
}

}  // namespace

void CountQuery(const std::string& surface, const char* outcome, double seconds, int64_t rows, int64_t bytes) {
  auto& f = Get();
  f.queries.With({surface, outcome}).Add();
  f.seconds.With({surface}).Observe(seconds);
  f.rows.With({surface}).Add(static_cast<double>(rows));
  f.bytes.With({surface}).Add(static_cast<double>(bytes));
}

void CountRefusedQuery(const std::string& surface, const arrow::Status& status) {
  const char* outcome = IsTooManyQueries(status)                                        ? "busy"
                        : status.message().rfind("SQL validation failed", 0) == 0 ? "refused"
                                                                                        : "error";
  Get().queries.With({surface, outcome}).Add();
}

void CountPartialAnswer(const std::string& surface) { Get().partial.With({surface}).Add(); }

}  // namespace homer::engine
