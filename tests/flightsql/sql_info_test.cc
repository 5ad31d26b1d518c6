#include "flightsql/sql_info.h"

#include <gtest/gtest.h>

#include "flightsql/metadata.h"
#include "flightsql/type_info.h"

namespace homer::flightsql {
namespace {

SqlInfoLists SomeLists() { return {{"SELECT", "FROM"}, {"abs"}, {"lower"}, {"version"}, {"now"}}; }

TEST(FlightSqlSqlInfo, RowsSortedByIdAndSchemaExact) {
  auto batch = MakeSqlInfoBatch(MakeSqlInfoTable(SomeLists()), {});
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_TRUE((*batch)->schema()->Equals(*SqlInfoSchema(), /*check_metadata=*/true));
  EXPECT_FALSE((*batch)->schema()->field(0)->nullable());
  EXPECT_FALSE((*batch)->schema()->field(1)->nullable());
  auto ids = std::static_pointer_cast<arrow::UInt32Array>((*batch)->column(0));
  for (int64_t i = 1; i < ids->length(); ++i) EXPECT_LT(ids->Value(i - 1), ids->Value(i));
}

TEST(FlightSqlSqlInfo, GrafanaEditorPositionsHoldTheLists) {
  // Grafana's query editor reads rows 17..21 of the unfiltered answer as 508..512.
  auto batch = MakeSqlInfoBatch(MakeSqlInfoTable(SomeLists()), {});
  ASSERT_TRUE(batch.ok());
  auto ids = std::static_pointer_cast<arrow::UInt32Array>((*batch)->column(0));
  ASSERT_GT(ids->length(), 21);
  for (uint32_t row = 17; row <= 21; ++row) EXPECT_EQ(ids->Value(row), 508 + row - 17);
  // What the unfiltered answer leaves out is still answered by id.
  for (uint32_t id : {5u, 6u, 7u, 11u, 101u}) {
    auto one = MakeSqlInfoBatch(MakeSqlInfoTable(SomeLists()), {id});
    ASSERT_TRUE(one.ok());
    EXPECT_EQ((*one)->num_rows(), 1) << id;
  }
}

/// The value of `id` in a one-row batch.
std::shared_ptr<arrow::Scalar> ValueOf(uint32_t id) {
  auto batch = MakeSqlInfoBatch(MakeSqlInfoTable(SomeLists()), {id});
  EXPECT_TRUE(batch.ok());
  EXPECT_EQ((*batch)->num_rows(), 1);
  auto scalar = (*batch)->column(1)->GetScalar(0).ValueOrDie();
  return std::static_pointer_cast<arrow::DenseUnionScalar>(scalar)->value;
}

TEST(FlightSqlSqlInfo, ValuesClientsDependOn) {
  EXPECT_EQ(ValueOf(3)->type->id(), arrow::Type::BOOL);  // read-only
  EXPECT_TRUE(std::static_pointer_cast<arrow::BooleanScalar>(ValueOf(3))->value);
  EXPECT_EQ(ValueOf(8)->type->id(), arrow::Type::INT32);  // ADBC: transactions as int32
  EXPECT_EQ(std::static_pointer_cast<arrow::Int32Scalar>(ValueOf(8))->value, 0);
  EXPECT_EQ(ValueOf(526)->type->id(), arrow::Type::INT32);  // JDBC needs it
  for (uint32_t id = 508; id <= 512; ++id) EXPECT_EQ(ValueOf(id)->type->id(), arrow::Type::LIST) << id;
  EXPECT_EQ(ValueOf(517)->type->id(), arrow::Type::MAP);
}

TEST(FlightSqlSqlInfo, RequestedSubsetInIdOrderUnknownSkipped) {
  auto batch = MakeSqlInfoBatch(MakeSqlInfoTable(SomeLists()), {504, 0, 99999, 8});
  ASSERT_TRUE(batch.ok());
  auto ids = std::static_pointer_cast<arrow::UInt32Array>((*batch)->column(0));
  ASSERT_EQ(ids->length(), 3);
  EXPECT_EQ(ids->Value(0), 0u);
  EXPECT_EQ(ids->Value(1), 8u);
  EXPECT_EQ(ids->Value(2), 504u);
}

TEST(FlightSqlTypeInfo, OrderedAndValid) {
  auto batch = MakeXdbcTypeInfoBatch(std::nullopt);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_TRUE((*batch)->ValidateFull().ok());
  EXPECT_TRUE((*batch)->schema()->Equals(*XdbcTypeInfoSchema()));
  auto types = std::static_pointer_cast<arrow::Int32Array>((*batch)->column(1));
  for (int64_t i = 1; i < types->length(); ++i) EXPECT_LE(types->Value(i - 1), types->Value(i));
  auto only_int = MakeXdbcTypeInfoBatch(4);
  ASSERT_TRUE(only_int.ok());
  EXPECT_EQ((*only_int)->num_rows(), 2);  // INTEGER, UINTEGER
}

TEST(FlightSqlMetadata, LikeMatch) {
  EXPECT_TRUE(LikeMatch("hep_proto_1_call", "hep%"));
  EXPECT_TRUE(LikeMatch("hep_proto_1_call", "%call"));
  EXPECT_TRUE(LikeMatch("main", "m_in"));
  EXPECT_TRUE(LikeMatch("a_b", "a\\_b"));
  EXPECT_FALSE(LikeMatch("axb", "a\\_b"));
  EXPECT_FALSE(LikeMatch("main", "mai"));
  EXPECT_TRUE(LikeMatch("", "%"));
}

TEST(FlightSqlMetadata, SchemasMatchTheSpec) {
  EXPECT_EQ(CatalogsSchema()->ToString(), "catalog_name: string not null");
  EXPECT_EQ(TablesSchema(true)->num_fields(), 5);
  EXPECT_FALSE(TablesSchema(true)->field(4)->nullable());
  EXPECT_TRUE(TablesSchema(false)->field(0)->nullable());
  EXPECT_EQ(ForeignKeysSchema()->num_fields(), 13);
  EXPECT_EQ(PrimaryKeysSchema()->field(4)->name(), "key_sequence");
}

}  // namespace
}  // namespace homer::flightsql
