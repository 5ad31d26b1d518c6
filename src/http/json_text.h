#pragma once
/// \file
/// The JSON text of single values, as json_writer.h's table describes it: exact big numbers
/// and decimals, ISO dates, times and durations, base64, UUIDs and DuckDB's binary-stored types
/// (HUGEINT, TIME_TZ, BIT, BIGNUM). Each appends to `out` and allocates nothing for values of
/// fixed size.

#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

namespace homer::http::json_text {

template <typename T>
void AppendNumber(T value, std::string* out) {
  char buf[64];
  out->append(buf, std::to_chars(buf, buf + sizeof(buf), value).ptr - buf);
}

/// A little-endian two's complement (or unsigned) integer of `count` 64-bit limbs (clobbered),
/// scaled by 10^-scale.
void AppendBigInteger(uint64_t* limbs, size_t count, bool is_signed, int32_t scale, std::string* out);

/// DuckDB HUGEINT / UHUGEINT: 16 bytes, little-endian.
template <bool Signed>
void AppendInt128(std::string_view bytes, std::string* out) {
  uint64_t limbs[2];
  std::memcpy(limbs, bytes.data(), sizeof(limbs));
  AppendBigInteger(limbs, 2, Signed, 0, out);
}

/// Floor division with a non-negative remainder, without overflow at INT64_MIN.
std::pair<int64_t, int64_t> FloorDivMod(int64_t value, int64_t divisor);

/// "YYYY-MM-DD" of a day count since 1970-01-01; returns the end.
char* WriteDate(char* p, int64_t days);
/// "HH:MM:SS", then "." and `digits` fraction digits when `fraction` is non-zero; returns the end.
char* WriteClock(char* p, int64_t second_of_day, int64_t fraction, int digits);
/// The seconds of an ISO-8601 duration: "[-]S[.fraction]S".
void AppendSeconds(bool negative, uint64_t seconds, uint64_t fraction, int digits, std::string* out);
/// "P1Y2M3DT4H5M6.5S"; zero is "PT0S".
void AppendIsoDuration(int64_t months, int64_t days, int64_t nanos, std::string* out);

void AppendRawJson(std::string_view text, std::string* out);
void AppendBase64(std::string_view bytes, std::string* out);
void AppendUuid(std::string_view bytes, std::string* out);
void AppendTimeTz(std::string_view bytes, std::string* out);
void AppendBitString(std::string_view bytes, std::string* out);
void AppendBignum(std::string_view bytes, std::string* out);

}  // namespace homer::http::json_text
