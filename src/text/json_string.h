#pragma once
/// \file
/// JSON string literals, written fast: the HTTP API's results and the capture records'
/// data_extra use the same escaping.

#include <string>
#include <string_view>

namespace homer::text {

/// Appends `s` as a JSON string literal: quotes, `"` and `\` escaped, control characters as \n,
/// \r, \t, \b, \f or \u00XX; invalid UTF-8 replaced by U+FFFD.
void AppendJsonString(std::string_view s, std::string* out);

}  // namespace homer::text
