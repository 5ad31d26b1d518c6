#pragma once
/// \file
/// One date partition of one table moved from a volume to the next, in the order that keeps
/// every row visible exactly once to every reader (lake/move_marks.h):
///   1. rows = the partition's rows with rowid < row_limit (all of it, as of now)
///   2. written as new files under the destination (search layout, policy/day_files.h)
///   3. one destination commit: the files added + the move's mark
///   4. one source commit: the rows deleted
/// A crash after 3 leaves the rows hidden in the source until FinishMoves deletes them.

#include <arrow/result.h>

#include <cstdint>
#include <functional>
#include <string>

#include "duckdb/database.h"
#include "policy/day_files.h"
#include "policy/volume_ref.h"

namespace homer::policy {

struct MoveResult {
  int64_t rows = 0;
  int64_t bytes = 0;  ///< as stored in the destination
  int files = 0;
};

arrow::Result<MoveResult> MovePartition(const duckdb::Connection& con, const VolumeRef& src, const VolumeRef& dst,
                                        const std::string& table, const std::string& date, const FileLayout& layout);

/// Complete moves a crash interrupted (delete source rows the destination's marks cover) and
/// drop marks older than `keep_marks_sec` (a query binds both volumes within that time).
/// Returns the source rows deleted.
arrow::Result<int64_t> FinishMoves(const duckdb::Connection& con, const VolumeRef& src, const VolumeRef& dst,
                                   int keep_marks_sec);

/// Create `table` in `dst` with `src`'s columns, partitioned by date and sorted by timestamp, if
/// missing; true when it was created. Nodes must list it before a move hides source rows.
arrow::Result<bool> EnsureTable(const duckdb::Connection& con, const VolumeRef& src, const VolumeRef& dst,
                          const std::string& table);

/// Delete the rows of `qualified_table` that `where` (a WHERE clause) selects, retried on
/// conflicts; no commit when there are none. Returns the rows deleted.
arrow::Result<int64_t> DeleteRows(const duckdb::Connection& con, const VolumeRef& volume,
                                  const std::string& qualified_table, const std::string& where);

/// A date partition as of now: its rows, and the rowid limit above all of them (rows committed
/// later get larger rowids).
struct PartitionRows {
  int64_t rows = 0;
  int64_t row_limit = 0;
};
arrow::Result<PartitionRows> CountPartition(const duckdb::Connection& con, const std::string& qualified_table,
                                            const std::string& date);

/// " WHERE date <op> '<date>'::DATE".
std::string DateWhere(const std::string& op, const std::string& date);

/// Run `body` in one transaction that writes to `volume` (ROLLBACK when it fails), holding the
/// volume's commit gate (lake/commit_gate.h) throughout.
arrow::Status InTransaction(const duckdb::Connection& con, const VolumeRef& volume,
                            const std::function<arrow::Status()>& body);

}  // namespace homer::policy
