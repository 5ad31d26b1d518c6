#pragma once
/// \file
/// GetSqlInfo: what the node tells Flight SQL clients about itself, as a static table keyed by
/// the spec's SqlInfo ids, and its encoding as the spec's dense-union result.
///
/// Clients read this table strictly: ADBC asks for id 8 (transactions) on connect and needs an
/// int32; Grafana reads rows by position (rows 17..21 of the unfiltered answer must be 508..512),
/// so rows are always emitted sorted by id; the JDBC driver reads the whole set and fails on a
/// missing 526. Values are truthful for a read-only
/// DuckDB lake: no DDL, no transactions, no ingest, no Substrait.

#include <arrow/api.h>
#include <arrow/result.h>

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace homer::flightsql {

/// One SqlInfo value: the union arms of the spec, in arm order (string, bool, bigint,
/// int32 bitmask, string list, int32 -> int32 list map).
using SqlInfoValue = std::variant<std::string, bool, int64_t, int32_t, std::vector<std::string>,
                                  std::map<int32_t, std::vector<int32_t>>>;
/// Ordered by id: iteration order is the row order clients see.
using SqlInfoTable = std::map<uint32_t, SqlInfoValue>;

/// Lists the server reads from DuckDB (duckdb_keywords(), duckdb_functions()).
struct SqlInfoLists {
  std::vector<std::string> keywords;           ///< 508
  std::vector<std::string> numeric_functions;  ///< 509
  std::vector<std::string> string_functions;   ///< 510
  std::vector<std::string> system_functions;   ///< 511
  std::vector<std::string> datetime_functions; ///< 512
};

/// The full table for this node.
SqlInfoTable MakeSqlInfoTable(const SqlInfoLists& lists);

/// The spec's result schema: info_name uint32 not null, value dense_union<...> not null.
const std::shared_ptr<arrow::Schema>& SqlInfoSchema();

/// The rows for `ids`, sorted by id; ids the node does not know are left out, as the spec allows.
/// With no ids, every row but a few that only qualify absent features (see AskedForOnly).
arrow::Result<std::shared_ptr<arrow::RecordBatch>> MakeSqlInfoBatch(const SqlInfoTable& table,
                                                                    const std::vector<uint32_t>& ids);

}  // namespace homer::flightsql
