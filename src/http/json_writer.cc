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

using arrow::ArrayData;
using internal::ValueEncoder;
using EncoderPtr = std::shared_ptr<const ValueEncoder>;
__extension__ typedef unsigned __int128 Uint128;

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

// Numbers -------------------------------------------------------------------------------

template <typename T>
void AppendNumber(T value, std::string* out) {
  char buf[64];
  out->append(buf, std::to_chars(buf, buf + sizeof(buf), value).ptr - buf);
}

/// Writes `value` in decimal, zero-padded to `width` digits; returns the end.
inline char* WritePadded(char* p, uint64_t value, int width) {
  char digits[20];
  int count = 0;
  do {
    digits[count++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  for (int k = count; k < width; ++k) *p++ = '0';
  while (count > 0) *p++ = digits[--count];
  return p;
}

/// Appends the magnitude held in little-endian 64-bit `limbs` (clobbered), with a '-' when
/// `negative` and a decimal point `scale` digits from the right.
void AppendMagnitude(uint64_t* limbs, size_t count, bool negative, int32_t scale, std::string* out) {
  constexpr uint64_t kChunk = 10'000'000'000'000'000'000ULL;  // the largest power of 10 in 64 bits
  char stack[4 * 20];
  std::string heap;  // only BIGNUM values outgrow 256 bits
  if (count > 4) heap.resize(count * 20);
  char* const end = count > 4 ? heap.data() + heap.size() : stack + sizeof(stack);
  char* begin = end;
  while (count > 0 && limbs[count - 1] == 0) --count;
  if (count == 0) *--begin = '0';
  while (count > 0) {  // long division by 10^19 peels off 19 digits at a time
    Uint128 remainder = 0;
    for (size_t k = count; k-- > 0;) {
      const Uint128 current = (remainder << 64) | limbs[k];
      limbs[k] = static_cast<uint64_t>(current / kChunk);
      remainder = current % kChunk;
    }
    while (count > 0 && limbs[count - 1] == 0) --count;
    auto chunk = static_cast<uint64_t>(remainder);
    for (int d = 0; d < 19 && (count > 0 || chunk != 0 || d == 0); ++d, chunk /= 10) {
      *--begin = static_cast<char>('0' + chunk % 10);
    }
  }
  const auto digits = static_cast<size_t>(end - begin);
  const bool zero = digits == 1 && *begin == '0';
  if (negative && !zero) out->push_back('-');
  if (scale <= 0) {
    out->append(begin, digits);
    if (!zero) out->append(static_cast<size_t>(-scale), '0');
  } else if (digits > static_cast<size_t>(scale)) {
    out->append(begin, digits - scale);
    out->push_back('.');
    out->append(end - scale, scale);
  } else {
    out->append("0.");
    out->append(scale - digits, '0');
    out->append(begin, digits);
  }
}

/// Appends a little-endian two's complement (or unsigned) integer scaled by 10^-scale.
void AppendBigInteger(uint64_t* limbs, size_t count, bool is_signed, int32_t scale, std::string* out) {
  const bool negative = is_signed && (limbs[count - 1] >> 63) != 0;
  for (size_t k = 0, carry = 1; negative && k < count; ++k) {
    limbs[k] = ~limbs[k] + carry;
    carry = carry != 0 && limbs[k] == 0;
  }
  AppendMagnitude(limbs, count, negative, scale, out);
}

// Dates, times and durations ------------------------------------------------------------

/// Floor division with a non-negative remainder, without overflow at INT64_MIN.
std::pair<int64_t, int64_t> FloorDivMod(int64_t value, int64_t divisor) {
  const int64_t quotient = value / divisor, remainder = value % divisor;
  return remainder < 0 ? std::pair(quotient - 1, remainder + divisor) : std::pair(quotient, remainder);
}

/// "YYYY-MM-DD" of a day count since 1970-01-01, proleptic Gregorian (Howard Hinnant's
/// civil_from_days). Years past 9999 take more digits; years before 1 are astronomical ("-0043").
char* WriteDate(char* p, int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<uint64_t>(days - era * 146097);
  const uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const uint64_t mp = (5 * doy + 2) / 153;
  const uint64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = static_cast<int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 0) *p++ = '-';
  p = WritePadded(p, year < 0 ? 0 - static_cast<uint64_t>(year) : year, 4);
  *p++ = '-';
  p = WritePadded(p, month, 2);
  *p++ = '-';
  return WritePadded(p, doy - (153 * mp + 2) / 5 + 1, 2);
}

/// "HH:MM:SS", then "." and `digits` fraction digits when `fraction` is non-zero.
char* WriteClock(char* p, int64_t second_of_day, int64_t fraction, int digits) {
  p = WritePadded(p, second_of_day / 3600, 2);
  *p++ = ':';
  p = WritePadded(p, second_of_day / 60 % 60, 2);
  *p++ = ':';
  p = WritePadded(p, second_of_day % 60, 2);
  if (fraction == 0) return p;
  *p++ = '.';
  return WritePadded(p, fraction, digits);
}

/// The seconds of an ISO-8601 duration: "[-]S[.fraction]S", the fraction without trailing zeros.
void AppendSeconds(bool negative, uint64_t seconds, uint64_t fraction, int digits, std::string* out) {
  if (negative) out->push_back('-');
  AppendNumber(seconds, out);
  if (fraction != 0) {
    for (; fraction % 10 == 0; fraction /= 10) --digits;
    char buf[24] = {'.'};
    out->append(buf, WritePadded(buf + 1, fraction, digits) - buf);
  }
  out->push_back('S');
}

/// "P1Y2M3DT4H5M6.5S": every non-zero component carries its own sign; zero is "PT0S".
void AppendIsoDuration(int64_t months, int64_t days, int64_t nanos, std::string* out) {
  out->append("\"P");
  for (auto [value, unit] : {std::pair(months / 12, 'Y'), {months % 12, 'M'}, {days, 'D'}}) {
    if (value == 0) continue;
    AppendNumber(value, out);
    out->push_back(unit);
  }
  if (nanos != 0 || (months == 0 && days == 0)) {
    out->push_back('T');
    const bool negative = nanos < 0;
    uint64_t rest = negative ? 0 - static_cast<uint64_t>(nanos) : nanos;
    constexpr uint64_t kNanosPerMinute = 60'000'000'000;
    for (auto [value, unit] : {std::pair(rest / (60 * kNanosPerMinute), 'H'), {rest / kNanosPerMinute % 60, 'M'}}) {
      if (value == 0) continue;
      if (negative) out->push_back('-');
      AppendNumber(value, out);
      out->push_back(unit);
    }
    rest %= kNanosPerMinute;
    if (rest != 0 || nanos == 0) AppendSeconds(negative, rest / 1'000'000'000, rest % 1'000'000'000, 9, out);
  }
  out->push_back('"');
}

// Values read as bytes: strings, binary and DuckDB's binary-stored types ----------------

void AppendRawJson(std::string_view text, std::string* out) {
  out->append(text.empty() ? std::string_view("null") : text);
}

void AppendBase64(std::string_view bytes, std::string* out) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const size_t start = out->size();
  out->resize(start + 2 + (bytes.size() + 2) / 3 * 4);
  char* p = out->data() + start;
  *p++ = '"';
  const auto* in = reinterpret_cast<const uint8_t*>(bytes.data());
  for (size_t i = 0; i < bytes.size(); i += 3) {
    const size_t left = bytes.size() - i;
    const uint32_t v = in[i] << 16 | (left > 1 ? in[i + 1] << 8 : 0) | (left > 2 ? in[i + 2] : 0);
    *p++ = kAlphabet[v >> 18];
    *p++ = kAlphabet[(v >> 12) & 63];
    *p++ = left > 1 ? kAlphabet[(v >> 6) & 63] : '=';
    *p++ = left > 2 ? kAlphabet[v & 63] : '=';
  }
  *p = '"';
}

void AppendUuid(std::string_view bytes, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  char buf[38];
  char* p = buf;
  *p++ = '"';
  for (size_t k = 0; k < 16; ++k) {
    if (k == 4 || k == 6 || k == 8 || k == 10) *p++ = '-';
    *p++ = kHex[static_cast<uint8_t>(bytes[k]) >> 4];
    *p++ = kHex[static_cast<uint8_t>(bytes[k]) & 15];
  }
  *p++ = '"';
  out->append(buf, p - buf);
}

/// DuckDB HUGEINT / UHUGEINT: 16 bytes, little-endian.
template <bool Signed>
void AppendInt128(std::string_view bytes, std::string* out) {
  uint64_t limbs[2];
  std::memcpy(limbs, bytes.data(), sizeof(limbs));
  AppendBigInteger(limbs, 2, Signed, 0, out);
}

/// DuckDB TIME_TZ: micros since midnight in the high 40 bits; in the low 24 bits the UTC offset
/// in seconds, stored as 57599 - offset so that the bits sort. Written as "HH:MM:SS[.ffffff]+HH:MM[:SS]".
void AppendTimeTz(std::string_view bytes, std::string* out) {
  uint64_t bits;
  std::memcpy(&bits, bytes.data(), sizeof(bits));
  const auto micros = static_cast<int64_t>(bits >> 24);
  const int64_t offset = 57599 - static_cast<int64_t>(bits & 0xFFFFFF);
  const int64_t magnitude = offset < 0 ? -offset : offset;
  char buf[40] = {'"'};
  char* p = WriteClock(buf + 1, micros / 1'000'000, micros % 1'000'000, 6);
  *p++ = offset < 0 ? '-' : '+';
  p = WritePadded(p, magnitude / 3600, 2);
  *p++ = ':';
  p = WritePadded(p, magnitude / 60 % 60, 2);
  if (magnitude % 60 != 0) {
    *p++ = ':';
    p = WritePadded(p, magnitude % 60, 2);
  }
  *p++ = '"';
  out->append(buf, p - buf);
}

/// DuckDB BIT: a byte counting the padding bits, then the bits, most significant first, the
/// padding at the start of the first data byte. Written as a "0101" string.
void AppendBitString(std::string_view bytes, std::string* out) {
  out->push_back('"');
  const size_t total = bytes.empty() ? 0 : (bytes.size() - 1) * 8;
  for (size_t bit = bytes.empty() ? 0 : static_cast<uint8_t>(bytes[0]); bit < total; ++bit) {
    out->push_back((static_cast<uint8_t>(bytes[1 + bit / 8]) >> (7 - bit % 8)) & 1 ? '1' : '0');
  }
  out->push_back('"');
}

/// DuckDB BIGNUM: a 3-byte header (top bit set when positive, then the byte count) and the
/// big-endian magnitude; negative values have every byte inverted.
void AppendBignum(std::string_view bytes, std::string* out) {
  if (bytes.size() < 3) {
    out->append("null");
    return;
  }
  const uint8_t flip = (static_cast<uint8_t>(bytes[0]) & 0x80) != 0 ? 0 : 0xFF;
  const size_t size = bytes.size() - 3;
  std::vector<uint64_t> limbs(size / 8 + 1, 0);  // BIGNUM is rare: an allocation is fine
  for (size_t k = 0; k < size; ++k) {
    const uint8_t byte = static_cast<uint8_t>(bytes[bytes.size() - 1 - k]) ^ flip;
    limbs[k / 8] |= static_cast<uint64_t>(byte) << (8 * (k % 8));
  }
  AppendMagnitude(limbs.data(), limbs.size(), flip != 0, 0, out);
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
