/// \file
/// JSON string literals: escaping and UTF-8 repair, the hot loop of string-heavy results.

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "text/json_string.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace homer::text {
namespace {

enum ByteClass : uint8_t { kPlain, kEscape, kLead2, kLead3, kLead4, kInvalid };

constexpr std::array<uint8_t, 256> kByteClasses = [] {
  std::array<uint8_t, 256> classes{};
  for (int c = 0; c < 256; ++c) {
    classes[c] = c < 0x20 || c == '"' || c == '\\' ? kEscape
                 : c < 0x80                         ? kPlain
                 : c < 0xC2                         ? kInvalid
                 : c < 0xE0                         ? kLead2
                 : c < 0xF0                         ? kLead3
                 : c < 0xF5                         ? kLead4
                                                    : kInvalid;
  }
  return classes;
}();

/// Index of the first byte at or after `i` that needs an escape or UTF-8 checking, or `n`: a byte
/// < 0x20, >= 0x80, '"' or '\\'. Checks 16 bytes per step, the hot loop of string-heavy results.
size_t SkipPlain(const char* s, size_t i, size_t n) {
#if defined(__SSE2__)
  // A signed compare with 0x20 catches control characters and bytes >= 0x80 at once.
  const __m128i space = _mm_set1_epi8(0x20), quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
  auto special = [&](size_t at) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + at));
    const __m128i hits = _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash));
    return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(_mm_cmplt_epi8(v, space), hits)));
  };
  for (; i + 16 <= n; i += 16) {
    if (const unsigned mask = special(i); mask != 0) return i + __builtin_ctz(mask);
  }
  if (i < n && n >= 16) {  // the tail, read as the last 16 bytes
    const unsigned mask = special(n - 16) >> (i + 16 - n);
    return mask != 0 ? i + __builtin_ctz(mask) : n;
  }
#else
  // Word arithmetic: the high bit of a byte ends up set if it is >= 0x80, < 0x20, '"' or '\\'
  // (borrows can only flag bytes after a true hit, and the byte loop below finds the first).
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;
  auto below = [](uint64_t w, uint64_t c) { return (w - c * kOnes) & ~w; };
  for (uint64_t w; i + 8 <= n; i += 8) {
    std::memcpy(&w, s + i, 8);
    if (((w | below(w, 0x20) | below(w ^ ('"' * kOnes), 1) | below(w ^ ('\\' * kOnes), 1)) & kHighs) != 0) break;
  }
#endif
  while (i < n && kByteClasses[static_cast<uint8_t>(s[i])] == kPlain) ++i;
  return i;
}

/// How many bytes of the UTF-8 sequence at `p` are valid: `length` when it is complete, else
/// its longest valid prefix (at least 1), which becomes a single U+FFFD.
size_t ValidUtf8Prefix(const uint8_t* p, size_t available, size_t length) {
  uint8_t low = 0x80, high = 0xBF;  // second-byte bounds rule out overlongs, surrogates and > U+10FFFF
  if (p[0] == 0xE0) low = 0xA0;
  if (p[0] == 0xED) high = 0x9F;
  if (p[0] == 0xF0) low = 0x90;
  if (p[0] == 0xF4) high = 0x8F;
  if (available < 2 || p[1] < low || p[1] > high) return 1;
  size_t k = 2;
  while (k < length && k < available && (p[k] & 0xC0) == 0x80) ++k;
  return k;
}

void AppendEscape(uint8_t c, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  switch (c) {
    case '"': out->append("\\\""); break;
    case '\\': out->append("\\\\"); break;
    case '\n': out->append("\\n"); break;
    case '\r': out->append("\\r"); break;
    case '\t': out->append("\\t"); break;
    case '\b': out->append("\\b"); break;
    case '\f': out->append("\\f"); break;
    default: out->append({'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]});
  }
}

}  // namespace

void AppendJsonString(std::string_view s, std::string* out) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(s.data());
  const size_t n = s.size();
  out->push_back('"');
  size_t run_start = 0;  // bytes [run_start, i) are copied as they are
  for (size_t i = SkipPlain(s.data(), 0, n); i < n; i = SkipPlain(s.data(), i, n)) {
    const uint8_t cls = kByteClasses[bytes[i]];
    size_t consumed = 1;
    if (cls >= kLead2 && cls <= kLead4) {
      const size_t length = cls - kLead2 + 2;
      consumed = ValidUtf8Prefix(bytes + i, n - i, length);
      if (consumed == length) {
        i += length;
        continue;
      }
    }
    out->append(s.data() + run_start, i - run_start);
    if (cls == kEscape) {
      AppendEscape(bytes[i], out);
    } else {
      out->append("\xEF\xBF\xBD");
    }
    i += consumed;
    run_start = i;
  }
  out->append(s.data() + run_start, n - run_start);
  out->push_back('"');
}

}  // namespace homer::text
