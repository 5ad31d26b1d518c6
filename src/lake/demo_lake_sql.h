#pragma once
/// \file
/// What the demo lake holds: its tables (HOMER's hep_proto_* tables of lake/hep_tables.h) and
/// the DuckDB SQL that generates their rows inside DuckDB. Only demo_lake.cc, which writes the
/// files, uses it.

#include <span>
#include <string>

#include "lake/hep_tables.h"

namespace homer::lake::demo {

/// What a table's rows are generated from; indexes WriteDay's per-source arrays.
enum class Source { kCalls, kRegistrations, kPings };

struct TableSpec {
  const char* name;
  HepSchema schema;  ///< its columns, in file order
  Source source;
  const char* query;  ///< SELECT of exactly the schema's columns over @SRC@
};

/// Every table, the call table first.
std::span<const TableSpec> Tables();

/// Macros, the time-of-day curve, the event sources and the call flow: run once on each
/// connection that generates rows.
std::string SetupSql();

/// The Allow header of SIP messages (replaces @ALLOW@ in the table queries).
extern const char* const kAllow;

}  // namespace homer::lake::demo
