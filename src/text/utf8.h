#pragma once
/// \file
/// UTF-8 validation for text bound for the lake's VARCHAR columns (DuckDB rejects invalid UTF-8).

#include <string_view>

namespace homer::text {

/// True when `text` is well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing
/// past U+10FFFF, no truncated or stray continuation bytes. ASCII runs are checked 8 bytes at a time.
bool IsValidUtf8(std::string_view text);

}  // namespace homer::text
