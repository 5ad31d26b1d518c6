#pragma once
/// \file
/// What the demo lake holds: its tables (HOMER's hep_proto_* layout) and the DuckDB SQL that
/// generates their rows inside DuckDB. Only demo_lake.cc, which writes the files, uses it.

#include <span>
#include <string>
#include <utility>
#include <vector>

namespace homer::engine::demo {

/// What a table's rows are generated from; indexes WriteDay's per-source arrays.
enum class Source { kCalls, kRegistrations, kPings };

struct TableSpec {
  const char* name;
  const char* columns;  ///< column list in file order, "name TYPE, ..."
  Source source;
  const char* query;  ///< SELECT of exactly `columns` over @SRC@
};

/// Every table, the call table first.
std::span<const TableSpec> Tables();

/// (name, type) pairs of a TableSpec column list.
std::vector<std::pair<std::string, std::string>> Columns(const TableSpec& table);

/// Macros, the time-of-day curve, the event sources and the call flow: run once on each
/// connection that generates rows.
std::string SetupSql();

/// The Allow header of SIP messages (replaces @ALLOW@ in the table queries).
extern const char* const kAllow;

}  // namespace homer::engine::demo
