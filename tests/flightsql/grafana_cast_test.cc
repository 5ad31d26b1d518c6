#include "flightsql/grafana_cast.h"

#include <gtest/gtest.h>

namespace homer::flightsql {
namespace {

TEST(FlightSqlGrafanaCast, CastsOnlyWhatGrafanaCannotShow) {
  EXPECT_FALSE(GrafanaCastType(*arrow::int64()));
  EXPECT_FALSE(GrafanaCastType(*arrow::utf8()));
  EXPECT_FALSE(GrafanaCastType(*arrow::timestamp(arrow::TimeUnit::MICRO)));
  EXPECT_EQ(*GrafanaCastType(*arrow::decimal128(38, 0)), "DOUBLE");
  EXPECT_EQ(*GrafanaCastType(*arrow::uint64()), "DOUBLE");
  EXPECT_EQ(*GrafanaCastType(*arrow::date32()), "TIMESTAMP");
  EXPECT_EQ(*GrafanaCastType(*arrow::large_utf8()), "VARCHAR");
  EXPECT_EQ(*GrafanaCastType(*arrow::list(arrow::int32())), "VARCHAR");
}

TEST(FlightSqlGrafanaCast, WrapsTheStatement) {
  auto schema = arrow::schema({arrow::field("time", arrow::timestamp(arrow::TimeUnit::MICRO)),
                               arrow::field("d", arrow::date32()), arrow::field("we\"ird", arrow::decimal128(10, 2))});
  EXPECT_EQ(GrafanaCastSql("SELECT 1 -- c\n;", *schema),
            "SELECT \"time\", CAST(\"d\" AS TIMESTAMP) AS \"d\", CAST(\"we\"\"ird\" AS DOUBLE) AS \"we\"\"ird\" "
            "FROM (SELECT 1 -- c\n) AS grafana_cast");
  auto plain = arrow::schema({arrow::field("n", arrow::int64())});
  EXPECT_EQ(GrafanaCastSql("SELECT 1 AS n", *plain), "SELECT 1 AS n");
}

}  // namespace
}  // namespace homer::flightsql
