#include "common/arrow_types.h"

#include <arrow/extension/bool8.h>
#include <arrow/extension/json.h>
#include <arrow/extension/opaque.h>
#include <arrow/extension/uuid.h>
#include <arrow/json/from_string.h>
#include <gtest/gtest.h>

namespace homer::common {
namespace {

std::shared_ptr<arrow::DataType> DuckOpaque(const std::string& name, int width) {
  return std::make_shared<arrow::extension::OpaqueType>(arrow::fixed_size_binary(width), name, "DuckDB");
}

TEST(ArrowTypes, WireTypes) {
  EXPECT_TRUE(WireType(arrow::extension::bool8())->Equals(*arrow::boolean()));
  EXPECT_TRUE(WireType(DuckOpaque("hugeint", 16))->Equals(*arrow::decimal128(38, 0)));
  EXPECT_TRUE(WireType(DuckOpaque("uhugeint", 16))->Equals(*arrow::decimal128(38, 0)));
  // Kept: canonical extensions clients read through their storage, and DuckDB-only types.
  for (const auto& kept : {arrow::extension::uuid(), arrow::extension::json(), DuckOpaque("time_tz", 8),
                           arrow::uint32(), arrow::timestamp(arrow::TimeUnit::MICRO), arrow::decimal128(18, 3)}) {
    EXPECT_EQ(WireType(kept), kept) << kept->ToString();
  }
  auto nested = arrow::struct_({arrow::field("flags", arrow::list(arrow::extension::bool8())),
                                arrow::field("n", arrow::int32())});
  EXPECT_TRUE(WireType(nested)->Equals(
      *arrow::struct_({arrow::field("flags", arrow::list(arrow::boolean())), arrow::field("n", arrow::int32())})));
  auto map = arrow::map(arrow::utf8(), arrow::extension::bool8());
  EXPECT_TRUE(WireType(map)->Equals(*arrow::map(arrow::utf8(), arrow::boolean())));
}

TEST(ArrowTypes, SchemaIsSharedWhenNothingChanges) {
  auto plain = arrow::schema({arrow::field("a", arrow::int64())});
  EXPECT_EQ(WireSchema(plain), plain);
  auto with_bool = arrow::schema({arrow::field("b", arrow::extension::bool8(), false)});
  auto wire = WireSchema(with_bool);
  EXPECT_TRUE(wire->field(0)->type()->Equals(*arrow::boolean()));
  EXPECT_FALSE(wire->field(0)->nullable());
}

TEST(ArrowTypes, Bool8BecomesBitsWithNullsAndOffsets) {
  auto storage = arrow::json::ArrayFromJSONString(arrow::int8(), "[1, 0, null, 5, 0, 1, 1, 0, 0, -1]").ValueOrDie();
  auto bool8 = arrow::ExtensionType::WrapArray(arrow::extension::bool8(), storage)->Slice(1);
  auto schema = arrow::schema({arrow::field("b", arrow::extension::bool8())});
  auto batch = arrow::RecordBatch::Make(schema, bool8->length(), {bool8});
  auto out = ToWireBatch(batch, WireSchema(schema));
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_TRUE((*out)->ValidateFull().ok());
  auto expected = arrow::json::ArrayFromJSONString(arrow::boolean(), "[false, null, true, false, true, true, false, false, true]").ValueOrDie();
  EXPECT_TRUE((*out)->column(0)->Equals(*expected)) << (*out)->column(0)->ToString();
}

TEST(ArrowTypes, HugeintKeepsItsBytesAsDecimal) {
  arrow::FixedSizeBinaryBuilder builder(arrow::fixed_size_binary(16));
  std::string minus_one(16, '\xff');
  std::string two_pow_64(16, '\0');
  two_pow_64[8] = 1;
  ASSERT_TRUE(builder.Append(minus_one).ok());
  ASSERT_TRUE(builder.AppendNull().ok());
  ASSERT_TRUE(builder.Append(two_pow_64).ok());
  auto storage = builder.Finish().ValueOrDie();
  auto array = arrow::ExtensionType::WrapArray(DuckOpaque("hugeint", 16), storage);
  auto schema = arrow::schema({arrow::field("h", array->type())});
  auto out = ToWireBatch(arrow::RecordBatch::Make(schema, 3, {array}), WireSchema(schema));
  ASSERT_TRUE(out.ok()) << out.status();
  const auto& dec = static_cast<const arrow::Decimal128Array&>(*(*out)->column(0));
  EXPECT_EQ(dec.FormatValue(0), "-1");
  EXPECT_TRUE(dec.IsNull(1));
  EXPECT_EQ(dec.FormatValue(2), "18446744073709551616");
  EXPECT_EQ(dec.values()->data(), storage->data()->buffers[1]->data()) << "the bytes are reused, not copied";

  auto unsigned_array = arrow::ExtensionType::WrapArray(DuckOpaque("uhugeint", 16), storage);
  auto uschema = arrow::schema({arrow::field("u", unsigned_array->type())});
  auto refused = ToWireBatch(arrow::RecordBatch::Make(uschema, 3, {unsigned_array}), WireSchema(uschema));
  EXPECT_TRUE(refused.status().IsInvalid()) << "2^128-1 has no DECIMAL(38, 0) form";
}

}  // namespace
}  // namespace homer::common
