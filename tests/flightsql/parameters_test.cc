#include "flightsql/parameters.h"

#include <gtest/gtest.h>

namespace homer::flightsql {
namespace {

std::shared_ptr<arrow::RecordBatch> Params() {
  arrow::StringBuilder s;
  arrow::Int64Builder i;
  EXPECT_TRUE(s.Append("it's").ok());
  EXPECT_TRUE(i.AppendNull().ok());
  auto schema = arrow::schema({arrow::field("a", arrow::utf8()), arrow::field("b", arrow::int64())});
  return arrow::RecordBatch::Make(schema, 1, {s.Finish().ValueOrDie(), i.Finish().ValueOrDie()});
}

TEST(FlightSqlParameters, CountsPlaceholdersOutsideLiteralsAndComments) {
  EXPECT_EQ(CountPlaceholders("SELECT ?, ?"), 2);
  EXPECT_EQ(CountPlaceholders("SELECT '?', \"?\" -- ?\n, /* ? */ ?"), 1);
  EXPECT_EQ(CountPlaceholders("SELECT $2, $1"), 2);
  EXPECT_EQ(CountPlaceholders("SELECT 1"), 0);
}

TEST(FlightSqlParameters, BindsQuotedLiterals) {
  auto params = Params();
  auto sql = BindParameters("SELECT * FROM t WHERE a = ? AND b IS ? AND c = '?'", params.get(), 0);
  ASSERT_TRUE(sql.ok()) << sql.status().ToString();
  EXPECT_EQ(*sql, "SELECT * FROM t WHERE a = 'it''s' AND b IS NULL AND c = '?'");
  auto numbered = BindParameters("SELECT $2, $1", params.get(), 0);
  ASSERT_TRUE(numbered.ok());
  EXPECT_EQ(*numbered, "SELECT NULL, 'it''s'");
}

TEST(FlightSqlParameters, NullsForSchemaAndTooFewValues) {
  EXPECT_EQ(*BindParameters("SELECT ? + 1", nullptr, 0), "SELECT NULL + 1");
  auto params = Params();
  EXPECT_TRUE(BindParameters("SELECT ?, ?, ?", params.get(), 0).status().IsInvalid());
}

TEST(FlightSqlParameters, TypedLiterals) {
  EXPECT_EQ(*SqlLiteral(arrow::BooleanScalar(true)), "TRUE");
  EXPECT_EQ(*SqlLiteral(arrow::Int32Scalar(-7)), "-7");
  EXPECT_EQ(*SqlLiteral(arrow::DoubleScalar(1.5)), "CAST('1.5' AS DOUBLE)");
  EXPECT_EQ(*SqlLiteral(arrow::Date32Scalar(0)), "CAST('1970-01-01' AS DATE)");
  EXPECT_TRUE(SqlLiteral(arrow::BinaryScalar(arrow::Buffer::FromString("x"))).status().IsNotImplemented());
}

TEST(FlightSqlParameters, HandlesRoundTrip) {
  PreparedStatement bound{"SELECT ?", "SELECT 'x'"};
  auto decoded = DecodePreparedHandle(EncodePreparedHandle(bound));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->template_sql, "SELECT ?");
  EXPECT_EQ(decoded->bound_sql, "SELECT 'x'");
  auto unbound = DecodePreparedHandle(EncodePreparedHandle({"SELECT 1", "SELECT 1"}));
  ASSERT_TRUE(unbound.ok());
  EXPECT_EQ(unbound->bound_sql, "SELECT 1");
  EXPECT_FALSE(DecodePreparedHandle("HSB1\x01").ok());
}

}  // namespace
}  // namespace homer::flightsql
