#include "duckdb/parameters_internal.h"

#include <arrow/c/bridge.h>
#include <arrow/extension_type.h>

#include <cstring>

#include "duckdb/error_internal.h"

namespace homer::duckdb {
namespace {

template <typename T, typename From>
const T& As(const From& s) {
  return static_cast<const T&>(s);
}

int64_t ToMicros(int64_t value, arrow::TimeUnit::type unit) {
  switch (unit) {
    case arrow::TimeUnit::SECOND: return value * 1000000;
    case arrow::TimeUnit::MILLI: return value * 1000;
    case arrow::TimeUnit::MICRO: return value;
    case arrow::TimeUnit::NANO: return value / 1000;
  }
  return value;
}

duckdb_value TimestampValue(const arrow::TimestampScalar& s) {
  const auto& type = As<arrow::TimestampType>(*s.type);
  if (!type.timezone().empty()) return duckdb_create_timestamp_tz({ToMicros(s.value, type.unit())});
  switch (type.unit()) {  // keep the unit: DuckDB has a timestamp type for each
    case arrow::TimeUnit::SECOND: return duckdb_create_timestamp_s({s.value});
    case arrow::TimeUnit::MILLI: return duckdb_create_timestamp_ms({s.value});
    case arrow::TimeUnit::MICRO: return duckdb_create_timestamp({s.value});
    case arrow::TimeUnit::NANO: return duckdb_create_timestamp_ns({s.value});
  }
  return nullptr;
}

duckdb_value DecimalValue(const arrow::Decimal128Scalar& s) {
  const auto& type = As<arrow::Decimal128Type>(*s.type);
  duckdb_decimal d;
  d.width = static_cast<uint8_t>(type.precision());
  d.scale = static_cast<uint8_t>(type.scale());
  d.value.lower = s.value.low_bits();
  d.value.upper = s.value.high_bits();
  return duckdb_create_decimal(d);
}

/// arrow.uuid (16 bytes) as its text form: DuckDB casts that to UUID wherever one is expected.
duckdb_value UuidValue(const arrow::FixedSizeBinaryScalar& storage) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  const auto* bytes = storage.value->data();
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text.push_back('-');
    text.push_back(kHex[bytes[i] >> 4]);
    text.push_back(kHex[bytes[i] & 15]);
  }
  return duckdb_create_varchar_length(text.data(), text.size());
}

duckdb_value BinaryValue(const arrow::BaseBinaryScalar& s) {
  return duckdb_create_blob(s.value->data(), static_cast<idx_t>(s.value->size()));
}

duckdb_value StringValue(const arrow::BaseBinaryScalar& s) {
  return duckdb_create_varchar_length(reinterpret_cast<const char*>(s.value->data()),
                                      static_cast<idx_t>(s.value->size()));
}

arrow::Result<duckdb_value> MakeValue(const arrow::Scalar& s) {
  using T = arrow::Type;
  if (!s.is_valid || s.type->id() == T::NA) return duckdb_create_null_value();
  switch (s.type->id()) {
    case T::BOOL: return duckdb_create_bool(As<arrow::BooleanScalar>(s).value);
    case T::INT8: return duckdb_create_int8(As<arrow::Int8Scalar>(s).value);
    case T::INT16: return duckdb_create_int16(As<arrow::Int16Scalar>(s).value);
    case T::INT32: return duckdb_create_int32(As<arrow::Int32Scalar>(s).value);
    case T::INT64: return duckdb_create_int64(As<arrow::Int64Scalar>(s).value);
    case T::UINT8: return duckdb_create_uint8(As<arrow::UInt8Scalar>(s).value);
    case T::UINT16: return duckdb_create_uint16(As<arrow::UInt16Scalar>(s).value);
    case T::UINT32: return duckdb_create_uint32(As<arrow::UInt32Scalar>(s).value);
    case T::UINT64: return duckdb_create_uint64(As<arrow::UInt64Scalar>(s).value);
    case T::FLOAT: return duckdb_create_float(As<arrow::FloatScalar>(s).value);
    case T::DOUBLE: return duckdb_create_double(As<arrow::DoubleScalar>(s).value);
    case T::STRING: case T::LARGE_STRING: case T::STRING_VIEW:
      return StringValue(As<arrow::BaseBinaryScalar>(s));
    case T::BINARY: case T::LARGE_BINARY: case T::BINARY_VIEW: case T::FIXED_SIZE_BINARY:
      return BinaryValue(As<arrow::BaseBinaryScalar>(s));
    case T::DATE32: return duckdb_create_date({As<arrow::Date32Scalar>(s).value});
    case T::DATE64: {
      const int64_t ms = As<arrow::Date64Scalar>(s).value;
      return duckdb_create_date({static_cast<int32_t>((ms - (ms < 0 ? 86399999 : 0)) / 86400000)});
    }
    case T::TIME32:
      return duckdb_create_time({ToMicros(As<arrow::Time32Scalar>(s).value, As<arrow::Time32Type>(*s.type).unit())});
    case T::TIME64:
      return duckdb_create_time({ToMicros(As<arrow::Time64Scalar>(s).value, As<arrow::Time64Type>(*s.type).unit())});
    case T::TIMESTAMP: return TimestampValue(As<arrow::TimestampScalar>(s));
    case T::DURATION: {
      const int64_t micros = ToMicros(As<arrow::DurationScalar>(s).value, As<arrow::DurationType>(*s.type).unit());
      return duckdb_create_interval({0, 0, micros});
    }
    case T::DECIMAL128: return DecimalValue(As<arrow::Decimal128Scalar>(s));
    case T::DICTIONARY: {
      ARROW_ASSIGN_OR_RAISE(auto decoded, As<arrow::DictionaryScalar>(s).GetEncodedValue());
      return MakeValue(*decoded);
    }
    case T::EXTENSION: {
      const auto& ext = As<arrow::ExtensionScalar>(s);
      if (As<arrow::ExtensionType>(*s.type).extension_name() == "arrow.uuid") {
        return UuidValue(As<arrow::FixedSizeBinaryScalar>(*ext.value));
      }
      return MakeValue(*ext.value);  // the storage value: what the type is made of
    }
    default:
      return arrow::Status::NotImplemented("parameter values of Arrow type ", s.type->ToString(),
                                           " are not supported");
  }
}

/// Parameter `i`'s type (1-based), or an empty handle when DuckDB leaves it open.
LogicalType ParameterType(duckdb_prepared_statement prepared, idx_t i) {
  LogicalType type(duckdb_param_logical_type(prepared, i));
  if (type && duckdb_get_type_id(type.get()) == DUCKDB_TYPE_INVALID) type.reset();
  return type;
}

}  // namespace

arrow::Result<Value> ToDuckDBValue(const arrow::Scalar& scalar) {
  ARROW_ASSIGN_OR_RAISE(duckdb_value v, MakeValue(scalar));
  if (!v) return arrow::Status::Invalid("cannot convert the parameter value ", scalar.ToString());
  return Value(v);
}

arrow::Status BindParameters(duckdb_prepared_statement prepared, const QueryParameters& values) {
  const idx_t expected = duckdb_nparams(prepared);
  if (values.size() != expected) {
    return arrow::Status::Invalid("the statement has ", expected, " parameter(s) and ", values.size(),
                                  " value(s) were bound");
  }
  for (idx_t i = 0; i < expected; ++i) {
    auto value = ToDuckDBValue(*values[i]);
    if (!value.ok()) return value.status().WithMessage("parameter ", i + 1, ": ", value.status().message());
    if (duckdb_bind_value(prepared, i + 1, value->get()) == DuckDBError) {
      return arrow::Status::Invalid("parameter ", i + 1, ": DuckDB cannot bind ", values[i]->ToString());
    }
  }
  return arrow::Status::OK();
}

arrow::Status BindNulls(duckdb_prepared_statement prepared) {
  for (idx_t i = 1; i <= duckdb_nparams(prepared); ++i) {
    if (duckdb_bind_null(prepared, i) == DuckDBError) return arrow::Status::Invalid("cannot bind NULL to parameter ", i);
  }
  return arrow::Status::OK();
}

bool HasUntypedParameters(duckdb_prepared_statement prepared) {
  for (idx_t i = 1; i <= duckdb_nparams(prepared); ++i) {
    if (!ParameterType(prepared, i)) return true;
  }
  return false;
}

arrow::Result<std::shared_ptr<arrow::Schema>> ParameterSchema(duckdb_prepared_statement prepared,
                                                              duckdb_arrow_options options) {
  arrow::FieldVector fields;
  for (idx_t i = 1; i <= duckdb_nparams(prepared); ++i) {
    const char* raw_name = duckdb_parameter_name(prepared, i);
    const std::string name = raw_name ? raw_name : std::to_string(i);
    if (raw_name) duckdb_free(const_cast<char*>(raw_name));
    LogicalType type = ParameterType(prepared, i);
    if (!type) {
      fields.push_back(arrow::field(name, arrow::null()));
      continue;
    }
    duckdb_logical_type types[] = {type.get()};
    const char* names[] = {name.c_str()};
    ArrowSchema c_schema;
    ErrorData err(duckdb_to_arrow_schema(options, types, names, 1, &c_schema));
    ARROW_RETURN_NOT_OK(ErrorDataStatus(err.get()));
    ARROW_ASSIGN_OR_RAISE(auto schema, arrow::ImportSchema(&c_schema));
    fields.push_back(schema->field(0));
  }
  return arrow::schema(std::move(fields));
}

}  // namespace homer::duckdb
