#include "flightsql/type_info.h"

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

namespace homer::flightsql {
namespace {

// XdbcDataType and XdbcDatetimeSubcode values of the spec.
enum XdbcType : int32_t {
  kBit = -7, kTinyint = -6, kBigint = -5, kVarbinary = -3, kDecimal = 3, kInteger = 4, kSmallint = 5,
  kFloat = 6, kReal = 7, kDouble = 8, kDatetime = 9, kInterval = 10, kVarchar = 12, kDate = 91, kTime = 92,
  kTimestamp = 93,
};
constexpr int32_t kNullable = 1;      // Nullable.NULLABILITY_NULLABLE
constexpr int32_t kSearchable = 3;    // Searchable.SEARCHABLE_FULL

struct TypeRow {
  const char* name;
  int32_t data_type;
  std::optional<int32_t> column_size;
  const char* literal_prefix;  ///< nullptr: none
  const char* literal_suffix;
  std::vector<std::string> create_params;
  bool case_sensitive;
  std::optional<bool> unsigned_attribute;
  bool fixed_prec_scale;
  std::optional<int32_t> minimum_scale;
  std::optional<int32_t> maximum_scale;
  int32_t sql_data_type;
  std::optional<int32_t> datetime_subcode;
  std::optional<int32_t> num_prec_radix;
};

const std::vector<TypeRow>& Rows() {
  static const std::vector<TypeRow> rows = {
      {"BOOLEAN", kBit, 1, nullptr, nullptr, {}, false, std::nullopt, false, {}, {}, kBit, {}, {}},
      {"TINYINT", kTinyint, 3, nullptr, nullptr, {}, false, false, true, 0, 0, kTinyint, {}, 10},
      {"BIGINT", kBigint, 19, nullptr, nullptr, {}, false, false, true, 0, 0, kBigint, {}, 10},
      {"UBIGINT", kBigint, 20, nullptr, nullptr, {}, false, true, true, 0, 0, kBigint, {}, 10},
      {"BLOB", kVarbinary, {}, "'", "'::BLOB", {}, false, std::nullopt, false, {}, {}, kVarbinary, {}, {}},
      {"DECIMAL", kDecimal, 38, nullptr, nullptr, {"precision", "scale"}, false, false, true, 0, 38, kDecimal, {}, 10},
      {"HUGEINT", kDecimal, 38, nullptr, nullptr, {}, false, false, true, 0, 0, kDecimal, {}, 10},
      {"INTEGER", kInteger, 10, nullptr, nullptr, {}, false, false, true, 0, 0, kInteger, {}, 10},
      {"UINTEGER", kInteger, 10, nullptr, nullptr, {}, false, true, true, 0, 0, kInteger, {}, 10},
      {"SMALLINT", kSmallint, 5, nullptr, nullptr, {}, false, false, true, 0, 0, kSmallint, {}, 10},
      {"USMALLINT", kSmallint, 5, nullptr, nullptr, {}, false, true, true, 0, 0, kSmallint, {}, 10},
      {"FLOAT", kReal, 24, nullptr, nullptr, {}, false, false, false, {}, {}, kReal, {}, 2},
      {"DOUBLE", kDouble, 53, nullptr, nullptr, {}, false, false, false, {}, {}, kDouble, {}, 2},
      {"INTERVAL", kInterval, {}, "INTERVAL '", "'", {}, false, std::nullopt, false, {}, {}, kInterval, {}, {}},
      {"VARCHAR", kVarchar, {}, "'", "'", {}, true, std::nullopt, false, {}, {}, kVarchar, {}, {}},
      {"DATE", kDate, 10, "DATE '", "'", {}, false, std::nullopt, false, {}, {}, kDatetime, 1, {}},
      {"TIME", kTime, 15, "TIME '", "'", {}, false, std::nullopt, false, {}, {}, kDatetime, 2, {}},
      {"TIMESTAMP", kTimestamp, 26, "TIMESTAMP '", "'", {}, false, std::nullopt, false, 0, 6, kDatetime, 3, {}},
      {"TIMESTAMP WITH TIME ZONE", kTimestamp, 32, "TIMESTAMPTZ '", "'", {}, false, std::nullopt, false, 0, 6,
       kDatetime, 3, {}},
  };
  return rows;
}

template <typename Builder, typename T>
arrow::Status AppendOptional(Builder* b, const std::optional<T>& v) {
  return v ? b->Append(*v) : b->AppendNull();
}

arrow::Status AppendText(arrow::StringBuilder* b, const char* text) {
  return text ? b->Append(text) : b->AppendNull();
}

}  // namespace

const std::shared_ptr<arrow::Schema>& XdbcTypeInfoSchema() {
  static const auto schema = arrow::schema({
      arrow::field("type_name", arrow::utf8(), false),
      arrow::field("data_type", arrow::int32(), false),
      arrow::field("column_size", arrow::int32(), true),
      arrow::field("literal_prefix", arrow::utf8(), true),
      arrow::field("literal_suffix", arrow::utf8(), true),
      arrow::field("create_params", arrow::list(arrow::field("item", arrow::utf8(), false)), true),
      arrow::field("nullable", arrow::int32(), false),
      arrow::field("case_sensitive", arrow::boolean(), false),
      arrow::field("searchable", arrow::int32(), false),
      arrow::field("unsigned_attribute", arrow::boolean(), true),
      arrow::field("fixed_prec_scale", arrow::boolean(), false),
      arrow::field("auto_increment", arrow::boolean(), true),
      arrow::field("local_type_name", arrow::utf8(), true),
      arrow::field("minimum_scale", arrow::int32(), true),
      arrow::field("maximum_scale", arrow::int32(), true),
      arrow::field("sql_data_type", arrow::int32(), false),
      arrow::field("datetime_subcode", arrow::int32(), true),
      arrow::field("num_prec_radix", arrow::int32(), true),
      arrow::field("interval_precision", arrow::int32(), true),
  });
  return schema;
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> MakeXdbcTypeInfoBatch(std::optional<int32_t> data_type) {
  std::vector<const TypeRow*> rows;
  for (const auto& r : Rows()) {
    if (!data_type || r.data_type == *data_type) rows.push_back(&r);
  }
  std::sort(rows.begin(), rows.end(), [](const TypeRow* a, const TypeRow* b) {
    return std::tie(a->data_type, a->name) < std::tie(b->data_type, b->name);
  });
  ARROW_ASSIGN_OR_RAISE(auto builder, arrow::RecordBatchBuilder::Make(XdbcTypeInfoSchema(), arrow::default_memory_pool()));
  for (const auto* r : rows) {
    ARROW_RETURN_NOT_OK(builder->GetFieldAs<arrow::StringBuilder>(0)->Append(r->name));
    ARROW_RETURN_NOT_OK(builder->GetFieldAs<arrow::Int32Builder>(1)->Append(r->data_type));
    ARROW_RETURN_NOT_OK(AppendOptional(builder->GetFieldAs<arrow::Int32Builder>(2), r->column_size));
    ARROW_RETURN_NOT_OK(AppendText(builder->GetFieldAs<arrow::StringBuilder>(3), r->literal_prefix));
    ARROW_RETURN_NOT_OK(AppendText(builder->GetFieldAs<arrow::StringBuilder>(4), r->literal_suffix));
    auto* params = builder->GetFieldAs<arrow::ListBuilder>(5);
    if (r->create_params.empty()) {
      ARROW_RETURN_NOT_OK(params->AppendNull());
    } else {
      ARROW_RETURN_NOT_OK(params->Append());
      auto* items = static_cast<arrow::StringBuilder*>(params->value_builder());
      ARROW_RETURN_NOT_OK(items->AppendValues(r->create_params));
    }
    ARROW_RETURN_NOT_OK(builder->GetFieldAs<arrow::Int32Builder>(6)->Append(kNullable));
    ARROW_RETURN_NOT_OK(builder->GetFieldAs<arrow::BooleanBuilder>(7)->Append(r->case_sensitive));
    ARROW_RETURN_NOT_OK(builder->GetFieldAs<arrow::Int32Builder>(8)->Append(kSearchable));
    ARROW_RETURN_NOT_OK(AppendOptional(builder->GetFieldAs<arrow::BooleanBuilder>(9), r->unsigned_attribute));
    ARROW_RETURN_NOT_OK(builder->GetFieldAs<arrow::BooleanBuilder>(10)->Append(r->fixed_prec_scale));
    ARROW_RETURN_NOT_OK(builder->GetFieldAs<arrow::BooleanBuilder>(11)->Append(false));
    ARROW_RETURN_NOT_OK(builder->GetFieldAs<arrow::StringBuilder>(12)->Append(r->name));
    ARROW_RETURN_NOT_OK(AppendOptional(builder->GetFieldAs<arrow::Int32Builder>(13), r->minimum_scale));
    ARROW_RETURN_NOT_OK(AppendOptional(builder->GetFieldAs<arrow::Int32Builder>(14), r->maximum_scale));
    ARROW_RETURN_NOT_OK(builder->GetFieldAs<arrow::Int32Builder>(15)->Append(r->sql_data_type));
    ARROW_RETURN_NOT_OK(AppendOptional(builder->GetFieldAs<arrow::Int32Builder>(16), r->datetime_subcode));
    ARROW_RETURN_NOT_OK(AppendOptional(builder->GetFieldAs<arrow::Int32Builder>(17), r->num_prec_radix));
    ARROW_RETURN_NOT_OK(builder->GetFieldAs<arrow::Int32Builder>(18)->AppendNull());
  }
  return builder->Flush();
}

}  // namespace homer::flightsql
