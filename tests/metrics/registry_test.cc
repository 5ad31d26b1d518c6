#include "metrics/registry.h"

#include <gtest/gtest.h>

namespace homer::metrics {
namespace {

TEST(Registry, RendersTheTextFormat) {
  Registry r;
  auto& queries = r.AddCounter("t_queries_total", "Queries.", {"surface"});
  queries.With({"http"}).Add();
  queries.With({"http"}).Add(2);
  queries.With({"we\"ird\\\n"}).Add();
  auto& seconds = r.AddHistogram("t_seconds", "Durations.", {0.1, 1});
  seconds.With({}).Observe(0.05);
  seconds.With({}).Observe(0.5);
  seconds.With({}).Observe(5);
  const uint64_t id = r.AddGauge("t_running", "Running.", {}, [] { return GaugeSamples{{{}, 4}}; });
  const std::string text = r.Render();
  EXPECT_NE(text.find("# HELP t_queries_total Queries.\n# TYPE t_queries_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("t_queries_total{surface=\"http\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("t_queries_total{surface=\"we\\\"ird\\\\\\n\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("t_seconds_bucket{le=\"0.1\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("t_seconds_bucket{le=\"1\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("t_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("t_seconds_sum 5.55\n"), std::string::npos) << text;
  EXPECT_NE(text.find("t_seconds_count 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE t_running gauge\nt_running 4\n"), std::string::npos) << text;
  r.RemoveGauge(id);
  EXPECT_EQ(r.Render().find("t_running"), std::string::npos);
}

}  // namespace
}  // namespace homer::metrics
