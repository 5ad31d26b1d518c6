#include "http/json_text.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

namespace homer::http::json_text {
namespace {

__extension__ typedef unsigned __int128 Uint128;

/// Writes `value` in decimal, zero-padded to `width` digits; returns the end.
char* WritePadded(char* p, uint64_t value, int width) {
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

}  // namespace

// Numbers -------------------------------------------------------------------------------

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

}  // namespace homer::http::json_text
