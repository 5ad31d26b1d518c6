#pragma once
/// \file
/// SQL text building: the one place identifiers and literals are quoted.

#include <string>
#include <string_view>
#include <vector>

namespace homer::duckdb {

/// "name" with embedded quotes doubled.
std::string QuoteIdent(std::string_view name);
/// 'text' with embedded quotes doubled.
std::string QuoteLiteral(std::string_view text);
/// ['a', 'b']: a list of string literals.
std::string ListLiteral(const std::vector<std::string>& items);
/// catalog.schema.table, each part quoted.
std::string QualifiedName(std::string_view catalog, std::string_view schema, std::string_view table);
/// Do two identifiers name the same thing? DuckDB ignores their (ASCII) case.
bool SameIdentifier(std::string_view a, std::string_view b);

}  // namespace homer::duckdb
