#pragma once
/// \file
/// The merged lake: `<lake_name>.main.<table>` as a UNION ALL view over every attached volume
/// that holds the table. Views are bound by DuckDB like any table reference, so joins, CTEs and
/// several references work, and filters are pushed through the union into each volume's scan
/// (a filter on the constant storage_volume column removes the other volumes' branches).

#include <arrow/result.h>

#include <map>
#include <string>
#include <vector>

#include "duckdb/database.h"
#include "lake/snapshot_pin.h"

namespace homer::lake {

struct MergedVolume {
  std::string label;    ///< volume name, exposed as storage_volume
  std::string catalog;  ///< attach name, exposed as storage_lake
  /// Why the volume is not attached ("" when it is). Its branch of every view then fails the
  /// query with NotAttachedMessage, unless a filter on storage_volume leaves the volume out: the
  /// merged lake never answers from fewer volumes than it has without saying so.
  std::string not_attached;
  /// The writer's buffer for this volume (lake/write_buffer.h), "" when it has none: each view
  /// then also reads the rows buffered for the table and not yet in this volume's snapshot.
  std::string buffer_catalog;
  /// The next volume's catalog when it holds move marks (lake/move_marks.h), "" otherwise: this
  /// volume's branches then leave out the rows already moved there.
  std::string moves_into;
};

/// Set each attached volume's moves_into: the next volume in the list (hottest first, as the
/// storage policy moves data) when it is attached and has the marks table.
arrow::Status LinkMoves(const duckdb::Connection& con, std::vector<MergedVolume>* volumes);

/// The error a query of the merged lake gets while `volume` is not attached.
std::string NotAttachedMessage(const MergedVolume& volume);
/// Does a DuckDB error message carry NotAttachedMessage for the volume labelled `label`?
bool IsNotAttachedError(const std::string& message, const std::string& label);

struct MergedTable {
  std::string name;
  std::vector<std::pair<std::string, std::string>> columns;  ///< name, DuckDB type text
  /// label -> that volume's columns (name -> type), for the volumes holding the table
  std::map<std::string, std::map<std::string, std::string>> volume_columns;
  /// label -> columns of that volume's buffer table, for the volumes buffering the table
  std::map<std::string, std::map<std::string, std::string>> buffer_columns;
};

/// The tables of the attached volumes' `main` schemas, merged by name (first volume's order, columns added
/// in later volumes appended; the first volume's type wins).
arrow::Result<std::vector<MergedTable>> ReadMergedTables(const duckdb::Connection& con, const std::vector<MergedVolume>& volumes);

/// The view's SELECT for one table; with `pin`, every volume at its pinned snapshot and only
/// the buffered rows the pin saw (lake/snapshot_pin.h).
std::string MergedViewSql(const MergedTable& table, const std::vector<MergedVolume>& volumes,
                          const SnapshotPin* pin = nullptr);

/// Create or replace the views in `lake_name.main` (an in-memory catalog) and drop views whose
/// table is gone, in one transaction.
arrow::Status WriteMergedViews(const duckdb::Connection& con, const std::string& lake_name,
                               const std::vector<MergedVolume>& volumes, const std::vector<MergedTable>& tables);

}  // namespace homer::lake
