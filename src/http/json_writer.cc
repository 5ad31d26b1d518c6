#include "http/json_writer.h"

#include <arrow/extension/opaque.h>
#include <arrow/extension_type.h>
#include <arrow/util/bit_util.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

#include "http/json_text.h"

namespace homer::http {
namespace internal {

/// Encodes the values of one Arrow type. Indices are logical (`data.offset` not yet added),
/// which is how list and union offsets address their children.
class ValueEncoder {
 public:
  virtual ~ValueEncoder() = default;
  virtual void Append(const arrow::ArrayData& data, int64_t i, std::string* out) const = 0;
};

}  // namespace internal

namespace {

using json_text::AppendBase64;
using json_text::AppendBigInteger;
using json_text::AppendBignum;
using json_text::AppendBitString;
using json_text::AppendInt128;
using json_text::AppendIsoDuration;
using json_text::AppendNumber;
using json_text::AppendRawJson;
using json_text::AppendSeconds;
using json_text::AppendTimeTz;
using json_text::AppendUuid;
using json_text::FloorDivMod;
using json_text::WriteClock;
using json_text::WriteDate;
using arrow::ArrayData;
using internal::ValueEncoder;
using EncoderPtr = std::shared_ptr<const ValueEncoder>;

inline bool IsNull(const ArrayData& data, int64_t i) {
  const auto& validity = data.buffers[0];
  return validity && !arrow::bit_util::GetBit(validity->data(), data.offset + i);
}

/// An encoder from a callable that appends a non-null value. The callable inlines here, so a
/// value costs one virtual call.
template <typename Fn>
class FnEncoder final : public ValueEncoder {
 public:
  explicit FnEncoder(Fn fn) : fn_(std::move(fn)) {}

  void Append(const ArrayData& data, int64_t i, std::string* out) const override {
    if (IsNull(data, i)) {
      out->append("null", 4);
    } else {
      fn_(data, i, out);
    }
  }

 private:
  Fn fn_;
};

template <typename Fn>
EncoderPtr MakeFn(Fn fn) {
  return std::make_shared<FnEncoder<Fn>>(std::move(fn));
}

// Layout accessors: encoders are templated on them, so the layout is fixed per column --

template <typename Offset>
struct OffsetBytes {
  std::string_view Get(const ArrayData& data, int64_t i) const {
    const Offset* offsets = data.GetValues<Offset>(1);
    const char* base = data.buffers[2] ? data.GetValues<char>(2, 0) : nullptr;
    return {base + offsets[i], static_cast<size_t>(offsets[i + 1] - offsets[i])};
  }
};

struct ViewBytes {
  std::string_view Get(const ArrayData& data, int64_t i) const {
    const auto& view = data.GetValues<arrow::BinaryViewType::c_type>(1)[i];
    const uint8_t* bytes = view.is_inline() ? view.inlined.data.data()
                                            : data.buffers[2 + view.ref.buffer_index]->data() + view.ref.offset;
    return {reinterpret_cast<const char*>(bytes), static_cast<size_t>(view.size())};
  }
};

struct FixedBytes {
  int32_t width;
  std::string_view Get(const ArrayData& data, int64_t i) const {
    return {data.GetValues<char>(1, (data.offset + i) * width), static_cast<size_t>(width)};
  }
};

/// The children of a list value: {first child index, count}.
template <typename Offset>
struct ListRange {
  std::pair<int64_t, int64_t> Get(const ArrayData& data, int64_t i) const {
    const Offset* offsets = data.GetValues<Offset>(1);
    return {offsets[i], offsets[i + 1] - offsets[i]};
  }
};

template <typename Offset>
struct ListViewRange {
  std::pair<int64_t, int64_t> Get(const ArrayData& data, int64_t i) const {
    return {data.GetValues<Offset>(1)[i], data.GetValues<Offset>(2)[i]};
  }
};

struct FixedListRange {
  int32_t size;
  std::pair<int64_t, int64_t> Get(const ArrayData& data, int64_t i) const { return {(data.offset + i) * size, size}; }
};

// Encoder factories ---------------------------------------------------------------------

using BytesFn = void (*)(std::string_view, std::string*);

/// `Append` applied to the bytes of any string or binary layout; nullptr for other types.
template <BytesFn Append>
EncoderPtr MakeBytes(const arrow::DataType& type) {
  auto make = [](auto access) {
    return MakeFn([access](const ArrayData& d, int64_t i, std::string* out) { Append(access.Get(d, i), out); });
  };
  switch (type.id()) {
    case arrow::Type::STRING:
    case arrow::Type::BINARY: return make(OffsetBytes<int32_t>());
    case arrow::Type::LARGE_STRING:
    case arrow::Type::LARGE_BINARY: return make(OffsetBytes<int64_t>());
    case arrow::Type::STRING_VIEW:
    case arrow::Type::BINARY_VIEW: return make(ViewBytes());
    case arrow::Type::FIXED_SIZE_BINARY:
      return make(FixedBytes{static_cast<const arrow::FixedSizeBinaryType&>(type).byte_width()});
    default: return nullptr;
  }
}

template <typename T>
EncoderPtr MakeNumber() {
  return MakeFn([](const ArrayData& d, int64_t i, std::string* out) {
    const T value = d.GetValues<T>(1)[i];
    if constexpr (std::is_floating_point_v<T>) {
      if (!std::isfinite(value)) {
        out->append("null");
        return;
      }
    }
    AppendNumber(value, out);
  });
}

/// Decimals of 8 * Limbs bytes (decimal128/256), or of the integer T (decimal32/64) when Limbs is 1.
template <typename T, size_t Limbs>
EncoderPtr MakeDecimal(int32_t scale) {
  return MakeFn([scale](const ArrayData& d, int64_t i, std::string* out) {
    uint64_t limbs[Limbs];
    if constexpr (Limbs == 1) {
      limbs[0] = static_cast<uint64_t>(static_cast<int64_t>(d.GetValues<T>(1)[i]));
    } else {
      std::memcpy(limbs, d.GetValues<uint8_t>(1, (d.offset + i) * sizeof(limbs)), sizeof(limbs));
    }
    AppendBigInteger(limbs, Limbs, /*is_signed=*/true, scale, out);
  });
}

/// Dates, times, timestamps and durations of storage T.
template <typename T>
EncoderPtr MakeTemporal(const arrow::DataType& type) {
  const arrow::Type::type id = type.id();
  const bool is_time = id == arrow::Type::TIME32 || id == arrow::Type::TIME64;
  const bool is_date = id == arrow::Type::DATE32 || id == arrow::Type::DATE64;
  const auto unit = id == arrow::Type::TIMESTAMP ? static_cast<const arrow::TimestampType&>(type).unit()
                    : id == arrow::Type::DURATION ? static_cast<const arrow::DurationType&>(type).unit()
                    : is_time                     ? static_cast<const arrow::TimeType&>(type).unit()
                                                  : arrow::TimeUnit::SECOND;
  const int digits = 3 * static_cast<int>(unit);
  const int64_t per_second = std::array<int64_t, 4>{1, 1'000, 1'000'000, 1'000'000'000}[unit];
  const int64_t per_day = id == arrow::Type::DATE32 ? 1 : id == arrow::Type::DATE64 ? 86'400'000 : 86'400 * per_second;
  const bool utc = id == arrow::Type::TIMESTAMP && !static_cast<const arrow::TimestampType&>(type).timezone().empty();
  if (id == arrow::Type::DURATION) {
    return MakeFn([=](const ArrayData& d, int64_t i, std::string* out) {
      const int64_t value = d.GetValues<int64_t>(1)[i];
      const uint64_t magnitude = value < 0 ? 0 - static_cast<uint64_t>(value) : value;
      out->append("\"PT");
      AppendSeconds(value < 0, magnitude / per_second, magnitude % per_second, digits, out);
      out->push_back('"');
    });
  }
  return MakeFn([=](const ArrayData& d, int64_t i, std::string* out) {
    const T value = d.GetValues<T>(1)[i];
    // DuckDB exports its infinite dates and timestamps as the largest values, INT_MIN excepted.
    if (!is_time && (value == std::numeric_limits<T>::max() || value == -std::numeric_limits<T>::max())) {
      out->append(value > 0 ? "\"infinity\"" : "\"-infinity\"");
      return;
    }
    const auto [days, in_day] = FloorDivMod(value, per_day);
    // Times are not wrapped at a day (DuckDB has 24:00:00) unless negative, which no valid time is.
    const auto [second, fraction] = FloorDivMod(is_time && value >= 0 ? value : in_day, per_second);
    char buf[64] = {'"'};
    char* p = is_time ? buf + 1 : WriteDate(buf + 1, days);
    if (!is_time && !is_date) *p++ = 'T';
    if (!is_date) p = WriteClock(p, second, fraction, digits);
    if (utc) *p++ = 'Z';
    *p++ = '"';
    out->append(buf, p - buf);
  });
}

template <typename Range>
EncoderPtr MakeList(Range range, EncoderPtr child) {
  return MakeFn([range, child](const ArrayData& d, int64_t i, std::string* out) {
    const auto [begin, length] = range.Get(d, i);
    out->push_back('[');
    for (int64_t k = 0; k < length; ++k) {
      if (k != 0) out->push_back(',');
      child->Append(*d.child_data[0], begin + k, out);
    }
    out->push_back(']');
  });
}

/// Struct children share the struct's offset.
EncoderPtr MakeStruct(std::vector<std::string> keys, std::vector<EncoderPtr> children) {
  return MakeFn([keys = std::move(keys), children = std::move(children)](const ArrayData& d, int64_t i,
                                                                         std::string* out) {
    out->push_back('{');
    for (size_t k = 0; k < children.size(); ++k) {
      out->append(keys[k]);
      children[k]->Append(*d.child_data[k], d.offset + i, out);
    }
    out->push_back('}');
  });
}

/// Map entries as an object (string keys) or as [{"key":k,"value":v},...].
EncoderPtr MakeMap(EncoderPtr key, EncoderPtr value, bool string_keys) {
  return MakeFn([=](const ArrayData& d, int64_t i, std::string* out) {
    const auto [begin, length] = ListRange<int32_t>().Get(d, i);
    const ArrayData& entries = *d.child_data[0];
    out->push_back(string_keys ? '{' : '[');
    for (int64_t k = 0; k < length; ++k) {
      const int64_t entry = entries.offset + begin + k;
      if (k != 0) out->push_back(',');
      if (!string_keys) out->append("{\"key\":");
      if (string_keys && IsNull(*entries.child_data[0], entry)) {
        out->append("\"\"");  // Arrow forbids null keys; stay valid JSON all the same
      } else {
        key->Append(*entries.child_data[0], entry, out);
      }
      out->append(string_keys ? ":" : ",\"value\":");
      value->Append(*entries.child_data[1], entry, out);
      if (!string_keys) out->push_back('}');
    }
    out->push_back(string_keys ? '}' : ']');
  });
}

template <typename Index>
EncoderPtr MakeDictionary(EncoderPtr values) {
  return MakeFn([values](const ArrayData& d, int64_t i, std::string* out) {
    values->Append(*d.dictionary, static_cast<int64_t>(d.GetValues<Index>(1)[i]), out);
  });
}

EncoderPtr MakeUnion(const arrow::UnionType& type, std::vector<EncoderPtr> children) {
  std::array<int, arrow::UnionType::kMaxTypeCode + 1> child_of_code;
  std::copy(type.child_ids().begin(), type.child_ids().end(), child_of_code.begin());
  const bool dense = type.mode() == arrow::UnionMode::DENSE;
  return MakeFn([=](const ArrayData& d, int64_t i, std::string* out) {
    const int child = child_of_code[d.GetValues<int8_t>(1)[i] & arrow::UnionType::kMaxTypeCode];
    // Sparse children are as long as the union and share its offset.
    const int64_t index = dense ? d.GetValues<int32_t>(2)[i] : d.offset + i;
    children[child]->Append(*d.child_data[child], index, out);
  });
}

/// `"name":`, with a leading comma unless first.
std::string ObjectKey(std::string_view name, bool first) {
  std::string key = first ? "" : ",";
  AppendJsonString(name, &key);
  return key + ":";
}

bool IsStringType(arrow::Type::type id) {
  return id == arrow::Type::STRING || id == arrow::Type::LARGE_STRING || id == arrow::Type::STRING_VIEW;
}

/// The encoder for an extension with a JSON form of its own, or nullptr to encode the storage.
EncoderPtr MakeExtension(std::string_view name, std::string_view opaque_type, const arrow::DataType& storage) {
  const int width = storage.id() == arrow::Type::FIXED_SIZE_BINARY
                        ? static_cast<const arrow::FixedSizeBinaryType&>(storage).byte_width()
                        : -1;
  if (name == "arrow.json" && IsStringType(storage.id())) return MakeBytes<AppendRawJson>(storage);
  if (name == "arrow.uuid" && width == 16) return MakeBytes<AppendUuid>(storage);
  if (name == "arrow.bool8" && storage.id() == arrow::Type::INT8) {
    return MakeFn([](const ArrayData& d, int64_t i, std::string* out) {
      out->append(d.GetValues<int8_t>(1)[i] != 0 ? "true" : "false");
    });
  }
  if (opaque_type == "hugeint" && width == 16) return MakeBytes<AppendInt128<true>>(storage);
  if (opaque_type == "uhugeint" && width == 16) return MakeBytes<AppendInt128<false>>(storage);
  if (opaque_type == "time_tz" && width == 8) return MakeBytes<AppendTimeTz>(storage);
  if (opaque_type == "bit") return MakeBytes<AppendBitString>(storage);
  if (opaque_type == "bignum" || opaque_type == "varint") return MakeBytes<AppendBignum>(storage);
  return nullptr;
}

arrow::Result<EncoderPtr> MakeEncoder(const std::shared_ptr<arrow::DataType>& type,
                                      const arrow::KeyValueMetadata* metadata, const std::string& path);

arrow::Result<EncoderPtr> MakeFieldEncoder(const arrow::Field& field, const std::string& path) {
  return MakeEncoder(field.type(), field.metadata().get(), path);
}

template <typename Range>
arrow::Result<EncoderPtr> MakeListOf(const arrow::DataType& type, Range range, const std::string& path) {
  ARROW_ASSIGN_OR_RAISE(auto child, MakeFieldEncoder(*type.field(0), path + "[]"));
  return MakeList(range, std::move(child));
}

arrow::Result<std::vector<EncoderPtr>> MakeChildren(const arrow::DataType& type, const std::string& path) {
  std::vector<EncoderPtr> children;
  for (const auto& field : type.fields()) {
    ARROW_ASSIGN_OR_RAISE(auto child, MakeFieldEncoder(*field, path + "." + field->name()));
    children.push_back(std::move(child));
  }
  return children;
}

/// `path` names the value in errors: "col", "col.field", "col[]".
arrow::Result<EncoderPtr> MakeEncoder(const std::shared_ptr<arrow::DataType>& type,
                                      const arrow::KeyValueMetadata* metadata, const std::string& path) {
  using arrow::Type;
  if (type->id() == Type::EXTENSION) {
    const auto& extension = static_cast<const arrow::ExtensionType&>(*type);
    const auto* opaque = dynamic_cast<const arrow::extension::OpaqueType*>(type.get());
    const bool duckdb = opaque != nullptr && opaque->vendor_name() == "DuckDB";
    if (auto encoder =
            MakeExtension(extension.extension_name(), duckdb ? opaque->type_name() : "", *extension.storage_type())) {
      return encoder;
    }
    return MakeEncoder(extension.storage_type(), nullptr, path);
  }
  // An extension type this process has not registered arrives as its storage, named in the metadata.
  if (metadata != nullptr) {
    if (auto encoder = MakeExtension(metadata->Get("ARROW:extension:name").ValueOr(""), "", *type)) return encoder;
  }
  switch (type->id()) {
    case Type::NA: return MakeFn([](const ArrayData&, int64_t, std::string* out) { out->append("null"); });
    case Type::BOOL:
      return MakeFn([](const ArrayData& d, int64_t i, std::string* out) {
        out->append(arrow::bit_util::GetBit(d.buffers[1]->data(), d.offset + i) ? "true" : "false");
      });
    case Type::INT8: return MakeNumber<int8_t>();
    case Type::INT16: return MakeNumber<int16_t>();
    case Type::INT32: return MakeNumber<int32_t>();
    case Type::INT64: return MakeNumber<int64_t>();
    case Type::UINT8: return MakeNumber<uint8_t>();
    case Type::UINT16: return MakeNumber<uint16_t>();
    case Type::UINT32: return MakeNumber<uint32_t>();
    case Type::UINT64: return MakeNumber<uint64_t>();
    case Type::FLOAT: return MakeNumber<float>();
    case Type::DOUBLE: return MakeNumber<double>();
    case Type::DECIMAL32: return MakeDecimal<int32_t, 1>(static_cast<const arrow::DecimalType&>(*type).scale());
    case Type::DECIMAL64: return MakeDecimal<int64_t, 1>(static_cast<const arrow::DecimalType&>(*type).scale());
    case Type::DECIMAL128: return MakeDecimal<void, 2>(static_cast<const arrow::DecimalType&>(*type).scale());
    case Type::DECIMAL256: return MakeDecimal<void, 4>(static_cast<const arrow::DecimalType&>(*type).scale());
    case Type::STRING:
    case Type::LARGE_STRING:
    case Type::STRING_VIEW: return MakeBytes<AppendJsonString>(*type);
    case Type::BINARY:
    case Type::LARGE_BINARY:
    case Type::BINARY_VIEW:
    case Type::FIXED_SIZE_BINARY: return MakeBytes<AppendBase64>(*type);
    case Type::DATE32:
    case Type::TIME32: return MakeTemporal<int32_t>(*type);
    case Type::DATE64:
    case Type::TIMESTAMP:
    case Type::TIME64:
    case Type::DURATION: return MakeTemporal<int64_t>(*type);
    case Type::INTERVAL_MONTHS:
      return MakeFn([](const ArrayData& d, int64_t i, std::string* out) {
        AppendIsoDuration(d.GetValues<int32_t>(1)[i], 0, 0, out);
      });
    case Type::INTERVAL_DAY_TIME:
      return MakeFn([](const ArrayData& d, int64_t i, std::string* out) {
        const auto value = d.GetValues<arrow::DayTimeIntervalType::DayMilliseconds>(1)[i];
        AppendIsoDuration(0, value.days, value.milliseconds * int64_t{1'000'000}, out);
      });
    case Type::INTERVAL_MONTH_DAY_NANO:
      return MakeFn([](const ArrayData& d, int64_t i, std::string* out) {
        const auto value = d.GetValues<arrow::MonthDayNanoIntervalType::MonthDayNanos>(1)[i];
        AppendIsoDuration(value.months, value.days, value.nanoseconds, out);
      });
    case Type::LIST: return MakeListOf(*type, ListRange<int32_t>(), path);
    case Type::LARGE_LIST: return MakeListOf(*type, ListRange<int64_t>(), path);
    case Type::LIST_VIEW: return MakeListOf(*type, ListViewRange<int32_t>(), path);
    case Type::LARGE_LIST_VIEW: return MakeListOf(*type, ListViewRange<int64_t>(), path);
    case Type::FIXED_SIZE_LIST:
      return MakeListOf(*type, FixedListRange{static_cast<const arrow::FixedSizeListType&>(*type).list_size()}, path);
    case Type::STRUCT: {
      ARROW_ASSIGN_OR_RAISE(auto children, MakeChildren(*type, path));
      std::vector<std::string> keys;
      for (const auto& field : type->fields()) keys.push_back(ObjectKey(field->name(), keys.empty()));
      return MakeStruct(std::move(keys), std::move(children));
    }
    case Type::MAP: {
      const auto& map = static_cast<const arrow::MapType&>(*type);
      ARROW_ASSIGN_OR_RAISE(auto key, MakeFieldEncoder(*map.key_field(), path + ".key"));
      ARROW_ASSIGN_OR_RAISE(auto value, MakeFieldEncoder(*map.item_field(), path + ".value"));
      return MakeMap(std::move(key), std::move(value), IsStringType(map.key_type()->id()));
    }
    case Type::DICTIONARY: {
      const auto& dictionary = static_cast<const arrow::DictionaryType&>(*type);
      ARROW_ASSIGN_OR_RAISE(auto values, MakeEncoder(dictionary.value_type(), nullptr, path));
      switch (dictionary.index_type()->id()) {
        case Type::INT8: return MakeDictionary<int8_t>(values);
        case Type::INT16: return MakeDictionary<int16_t>(values);
        case Type::INT32: return MakeDictionary<int32_t>(values);
        case Type::INT64: return MakeDictionary<int64_t>(values);
        case Type::UINT8: return MakeDictionary<uint8_t>(values);
        case Type::UINT16: return MakeDictionary<uint16_t>(values);
        case Type::UINT32: return MakeDictionary<uint32_t>(values);
        case Type::UINT64: return MakeDictionary<uint64_t>(values);
        default: break;
      }
      break;
    }
    case Type::SPARSE_UNION:
    case Type::DENSE_UNION: {
      ARROW_ASSIGN_OR_RAISE(auto children, MakeChildren(*type, path));
      return MakeUnion(static_cast<const arrow::UnionType&>(*type), std::move(children));
    }
    default: break;
  }
  return arrow::Status::NotImplemented("JSON encoding of column '", path, "' of type ", type->ToString(),
                                       " is not supported");
}

}  // namespace

// JsonRowEncoder ------------------------------------------------------------------------

JsonRowEncoder::JsonRowEncoder(std::shared_ptr<arrow::Schema> schema) : schema_(std::move(schema)) {}

JsonRowEncoder::~JsonRowEncoder() = default;

arrow::Result<std::unique_ptr<JsonRowEncoder>> JsonRowEncoder::Make(const std::shared_ptr<arrow::Schema>& schema) {
  std::unique_ptr<JsonRowEncoder> encoder(new JsonRowEncoder(schema));
  for (const auto& field : schema->fields()) {
    ARROW_ASSIGN_OR_RAISE(auto column, MakeFieldEncoder(*field, field->name()));
    encoder->columns_.push_back(std::move(column));
    encoder->object_keys_.push_back(ObjectKey(field->name(), encoder->object_keys_.empty()));
  }
  return encoder;
}

// Both take the columns from column_data(): column_data(i) returns a shared_ptr copy, an atomic
// increment per value that shows at millions of rows per second.

void JsonRowEncoder::AppendRowArray(const arrow::RecordBatch& batch, int64_t row, std::string* out) const {
  const arrow::ArrayDataVector& columns = batch.column_data();
  out->push_back('[');
  for (size_t c = 0; c < columns_.size(); ++c) {
    if (c != 0) out->push_back(',');
    columns_[c]->Append(*columns[c], row, out);
  }
  out->push_back(']');
}

void JsonRowEncoder::AppendRowObject(const arrow::RecordBatch& batch, int64_t row, std::string* out) const {
  const arrow::ArrayDataVector& columns = batch.column_data();
  out->push_back('{');
  for (size_t c = 0; c < columns_.size(); ++c) {
    out->append(object_keys_[c]);  // carries the comma
    columns_[c]->Append(*columns[c], row, out);
  }
  out->push_back('}');
}

}  // namespace homer::http
