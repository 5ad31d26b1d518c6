#pragma once
/// \file
/// Airport filter pushdown: DuckDB's serialized filter expressions (`json_filters` of the
/// `endpoints` action) as a SQL condition for the scan.
///
/// The client re-applies every filter to the rows it receives, so a pushed condition only has
/// to keep every row the client's filter keeps. The rule the translation follows: each
/// rendered condition is implied by the expression it came from.
///  - understood: comparisons (=, <>, <, >, <=, >=, IS [NOT] DISTINCT FROM), BETWEEN, IN and
///    NOT IN, IS [NOT] NULL, over columns of the table, constants and casts of them;
///  - AND keeps the children it understands (dropping a conjunct only widens the result);
///  - OR is kept only when every child is understood;
///  - anything else (functions such as LIKE or prefix(), NOT, subqueries, the rowid, columns
///    not in the table, types whose constants are not rendered exactly) is left to DuckDB.
/// Constants are rendered exactly from DuckDB's value serialization (integers and decimals as
/// digits, dates as days, timestamps as microseconds, UUIDs from their 128-bit form).

#include <string>
#include <string_view>
#include <vector>

namespace homer::flight {

/// The condition for `json_filters` ({"filters": [...], "column_binding_names_by_index":
/// [...]}) over a relation with `columns`, or "" when nothing applies (or the JSON is not
/// understood at all).
std::string FiltersToSql(std::string_view json_filters, const std::vector<std::string>& columns);

}  // namespace homer::flight
