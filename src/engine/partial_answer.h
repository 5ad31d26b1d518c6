#pragma once
/// \file
/// Partial answers (node.ducklake.partial_answers): while a volume is not attached, the merged
/// lake's views leave it out instead of failing, and every query that reads the merged lake is
/// marked with the volumes it was answered without. The engine decides the mark when it admits
/// a query (before any row is sent); each surface only renders it.

#include <arrow/type_fwd.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/sandbox.h"

namespace homer::engine {

/// The key of the mark in the Arrow schema metadata of a partial answer (Flight, Flight SQL).
inline constexpr const char* kPartialMetadataKey = "homer.partial";

/// A volume an answer leaves out, and why it is not attached.
struct MissingVolume {
  std::string name;
  std::string reason;
};

struct PartialAnswer {
  std::vector<MissingVolume> missing;  ///< empty: the answer is complete

  bool partial() const { return !missing.empty(); }
  /// One line for people (an HTTP header): which volumes the answer leaves out, and why.
  std::string Text() const;
  /// {"missing_volumes":[{"name":..,"reason":..}],"reason":Text()}: the HTTP body's "partial"
  /// field and the Arrow metadata's value.
  std::string Json() const;
};

/// Does a query naming `tables` read catalog `catalog` (DuckDB's names are case-insensitive;
/// `a.t` is read as catalog a when no schema a exists)? The connection's default catalog is
/// never a lake, so an unqualified name is not one of its tables.
bool NamesCatalog(const std::vector<TableRef>& tables, const std::string& catalog);

/// `schema` with the mark in its metadata (other keys kept); `schema` itself when complete.
std::shared_ptr<arrow::Schema> WithPartialMark(const std::shared_ptr<arrow::Schema>& schema,
                                               const PartialAnswer& partial);

}  // namespace homer::engine
