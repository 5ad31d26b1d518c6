#pragma once
/// \file
/// Snapshot pins: the lake as one query saw it, so that every ticket of that query reads the
/// same state on whichever node redeems it. DuckLake keeps every snapshot until it is expired,
/// and `AT (VERSION => n)` reads one; a pin holds one snapshot id per volume catalog. In an
/// all-in-one process it also holds the highest sequence number in the writer's buffer of each
/// table, so the buffered rows a pinned read takes are those the pin saw (lake/write_buffer.h).

#include <arrow/result.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace homer::lake {

struct SnapshotPin {
  std::map<std::string, int64_t> versions;  ///< catalog (attach name) -> DuckLake snapshot id
  /// (buffer catalog, table) -> highest sequence number buffered when the pin was taken
  std::map<std::pair<std::string, std::string>, int64_t> buffered;

  bool empty() const { return versions.empty(); }
  /// The snapshot of `catalog`, -1 when it is not pinned.
  int64_t Version(const std::string& catalog) const;

  /// Text form carried in tickets (no server state): one line per entry.
  std::string Encode() const;
  static arrow::Result<SnapshotPin> Decode(std::string_view text);
};

/// A FROM item: `catalog.schema.table AS alias`, followed by `AT (VERSION => n)` when `pin`
/// holds the catalog (DuckDB takes the alias before the AT clause).
std::string PinnedFrom(const std::string& catalog, const std::string& schema, const std::string& table,
                       const std::string& alias, const SnapshotPin* pin);

/// One statement (so one transaction) whose rows are (kind, catalog, table, value): `v` rows
/// give each catalog's current snapshot, `b` rows the highest buffered sequence number of each
/// (buffer catalog, table). Read it with PinFromRows.
std::string CurrentPinSql(const std::vector<std::string>& catalogs,
                          const std::vector<std::pair<std::string, std::string>>& buffer_tables);
arrow::Result<SnapshotPin> PinFromRows(const std::vector<std::vector<std::string>>& rows);

}  // namespace homer::lake
