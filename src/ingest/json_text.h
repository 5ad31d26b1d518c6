#pragma once
/// \file
/// The little JSON writing data_extra needs: quoted strings with correct escaping.

#include <string>
#include <string_view>

namespace homer::ingest {

/// Append `text` as a JSON string literal (with its quotes): `"` and `\` escaped, control
/// characters as \n, \r, \t, \b, \f or \u00XX. `text` must already be valid UTF-8.
void AppendJsonString(std::string* out, std::string_view text);

}  // namespace homer::ingest
