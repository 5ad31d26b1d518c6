#include "flightsql/statement_handle.h"

#include <gtest/gtest.h>

namespace homer::flightsql {
namespace {

std::shared_ptr<arrow::RecordBatch> TwoRows() {
  arrow::StringBuilder s;
  arrow::Int64Builder i;
  EXPECT_TRUE(s.AppendValues({"it's", "b"}).ok());
  EXPECT_TRUE(i.Append(7).ok());
  EXPECT_TRUE(i.AppendNull().ok());
  auto schema = arrow::schema({arrow::field("a", arrow::utf8()), arrow::field("b", arrow::int64())});
  return arrow::RecordBatch::Make(schema, 2, {s.Finish().ValueOrDie(), i.Finish().ValueOrDie()});
}

TEST(FlightSqlStatementHandle, SqlOnlyRoundTrip) {
  auto bytes = EncodeHandle({"SELECT 'x'", nullptr});
  ASSERT_TRUE(bytes.ok());
  auto handle = DecodeHandle(*bytes);
  ASSERT_TRUE(handle.ok());
  EXPECT_EQ(handle->sql, "SELECT 'x'");
  EXPECT_EQ(handle->parameters, nullptr);
  auto rows = handle->ParameterRows();
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);  // one run, no values
  EXPECT_TRUE((*rows)[0].empty());
}

TEST(FlightSqlStatementHandle, BoundRowsRoundTrip) {
  auto bytes = EncodeHandle({"SELECT ?, $2", TwoRows()});
  ASSERT_TRUE(bytes.ok());
  auto handle = DecodeHandle(*bytes);
  ASSERT_TRUE(handle.ok()) << handle.status().ToString();
  EXPECT_EQ(handle->sql, "SELECT ?, $2");
  ASSERT_NE(handle->parameters, nullptr);
  EXPECT_TRUE(handle->parameters->Equals(*TwoRows()));
  auto rows = handle->ParameterRows();
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0][0]->ToString(), "it's");
  EXPECT_EQ((*rows)[0][1]->ToString(), "7");
  EXPECT_FALSE((*rows)[1][1]->is_valid);
}

TEST(FlightSqlStatementHandle, ForeignOrDamagedHandlesRefused) {
  EXPECT_TRUE(DecodeHandle("SELECT 1").status().IsInvalid());
  EXPECT_TRUE(DecodeHandle("HSP1\x01").status().IsInvalid());
  auto bytes = EncodeHandle({"SELECT ?", TwoRows()});
  ASSERT_TRUE(bytes.ok());
  EXPECT_TRUE(DecodeHandle(bytes->substr(0, bytes->size() - 9)).status().IsInvalid());
}

TEST(FlightSqlStatementHandle, CombinesBatchesAndTooManyBytesRefused) {
  auto one = CombineParameterBatches(TwoRows()->schema(), {TwoRows(), TwoRows()});
  ASSERT_TRUE(one.ok());
  EXPECT_EQ((*one)->num_rows(), 4);
  auto none = CombineParameterBatches(TwoRows()->schema(), {});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, nullptr);

  arrow::StringBuilder big;
  ASSERT_TRUE(big.Append(std::string(kMaxBoundParameterBytes + 1, 'x')).ok());
  auto batch = arrow::RecordBatch::Make(arrow::schema({arrow::field("a", arrow::utf8())}), 1, {big.Finish().ValueOrDie()});
  EXPECT_TRUE(EncodeHandle({"SELECT ?", batch}).status().IsInvalid());
}

}  // namespace
}  // namespace homer::flightsql
