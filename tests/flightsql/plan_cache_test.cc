#include "flightsql/plan_cache.h"

#include <gtest/gtest.h>

namespace homer::flightsql {
namespace {

std::shared_ptr<arrow::Schema> Schema(const char* column) { return arrow::schema({arrow::field(column, arrow::int32())}); }

TEST(FlightSqlPlanCache, EntriesLiveForOneCatalogVersion) {
  PlanCache cache;
  EXPECT_FALSE(cache.Lookup("SELECT 1", 1));
  cache.Store("SELECT 1", 1, {Schema("a"), "SELECT 1"});
  auto hit = cache.Lookup("SELECT 1", 1);
  ASSERT_TRUE(hit);
  EXPECT_TRUE(hit->schema->Equals(*Schema("a")));
  EXPECT_FALSE(cache.Lookup("SELECT 1", 2));  // the catalog changed: planned again
  EXPECT_FALSE(cache.Lookup("SELECT 1", 1));  // and the stale entry is gone
}

TEST(FlightSqlPlanCache, ADifferentStreamSchemaEvicts) {
  PlanCache cache;
  cache.Store("SELECT * FROM t", 1, {Schema("a"), "SELECT CAST(a AS DOUBLE) FROM (SELECT * FROM t)"});
  cache.CheckStreamSchema("SELECT CAST(a AS DOUBLE) FROM (SELECT * FROM t)", *Schema("a"));
  EXPECT_TRUE(cache.Lookup("SELECT * FROM t", 1));  // same schema: kept
  cache.CheckStreamSchema("SELECT CAST(a AS DOUBLE) FROM (SELECT * FROM t)", *Schema("b"));
  EXPECT_FALSE(cache.Lookup("SELECT * FROM t", 1));
}

TEST(FlightSqlPlanCache, Bounded) {
  PlanCache cache(2);
  cache.Store("a", 1, {Schema("a"), "a"});
  cache.Store("b", 1, {Schema("a"), "b"});
  cache.Store("c", 1, {Schema("a"), "c"});  // full: starts over
  EXPECT_FALSE(cache.Lookup("a", 1));
  EXPECT_TRUE(cache.Lookup("c", 1));
}

}  // namespace
}  // namespace homer::flightsql
