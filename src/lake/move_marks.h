#pragma once
/// \file
/// Moves between volumes as the merged lake sees them, defined once for the storage policy
/// (which moves date partitions) and the merged views (which read both volumes).
///
/// A move of table T's partition D from volume S to the next volume N commits twice, in two
/// catalogs: (1) N gets the rows and, in the same commit, a mark (T, D, row_limit): every row of D
/// in S with a DuckLake rowid below row_limit is now in N; (2) S deletes those rows. S's branch
/// of every merged view leaves out the rows a mark of N covers, so between (1) and (2) a row is
/// read from N only, and after a crash between them as well. Rows written to S later get larger
/// rowids (DuckLake assigns them in commit order and keeps them through compaction), so late
/// rows of D stay visible in S.
///
/// That holds when a query reads S's snapshot before N's, which the views guarantee: each lists
/// the volumes hottest first, and the mark is read inside S's branch (DuckDB binds a query, and
/// DuckLake takes each catalog's snapshot at its first use, in that order). Read in the other
/// order, a query could see N before (1) and S after (2).

#include <cstdint>
#include <string>

#include "lake/snapshot_pin.h"

namespace homer::lake {

/// Marks live beside the destination's tables, outside `main` (which the merged lake lists).
inline constexpr const char* kPolicySchema = "homer_policy";
inline constexpr const char* kMovedTable = "moved";

/// The marks schema and table in a writable volume catalog (inlined in the catalog database).
std::string CreateMoveMarksSql(const std::string& catalog);

/// The statement that records a move into `dst_catalog`, to run in the transaction that adds the rows.
std::string RecordMoveSql(const std::string& dst_catalog, const std::string& table, const std::string& date,
                          int64_t row_limit, const std::string& source);

/// The moves of `table` recorded in `dst_catalog` as a relation (date, row_limit): the highest
/// limit per date (at the pinned snapshot of `dst_catalog` when `pin` holds one).
std::string MovedRowsSql(const std::string& dst_catalog, const std::string& table, const SnapshotPin* pin = nullptr);

/// FROM clause of a source volume's branch: `catalog.main.table` without the rows a move into
/// `dst_catalog` covers (both catalogs at their pinned snapshots when `pin` holds them).
std::string SourceWithoutMovedSql(const std::string& catalog, const std::string& table,
                                  const std::string& dst_catalog, const SnapshotPin* pin = nullptr);

/// The marks table's qualified name in `catalog`.
std::string MovedTableName(const std::string& catalog);

}  // namespace homer::lake
