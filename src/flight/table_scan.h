#pragma once
/// \file
/// Table scans as SQL: what a PATH descriptor, an Airport `endpoints` request or a
/// `flight_info` request turns into before it becomes tickets.
///
/// A scan always returns the table's full schema (the Airport client maps columns by
/// position); columns the client did not ask for are `CASE WHEN false THEN col END`, which
/// DuckDB folds to a typed NULL without reading the column. Time travel maps to DuckLake
/// snapshots: on a volume's catalog `AT (VERSION => n)` and `AT (TIMESTAMP => t)`; on the
/// merged lake only TIMESTAMP (versions are per volume), as a UNION ALL BY NAME of each
/// volume's table at that time, skipping volumes where it did not exist yet.
/// Large scans are split into endpoints by ranges of a TIMESTAMP column (the row range comes
/// from DuckLake's statistics; the first and last ranges are open, so every row, NULLs
/// included, lands in exactly one endpoint whatever the statistics say).

#include <arrow/api.h>
#include <arrow/result.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/lake_catalog.h"
#include "engine/engine.h"
#include "flight/ticket.h"

namespace homer::flight {

/// `AT (unit => value)`, empty when not time travelling.
struct TimeTravel {
  std::string unit;   ///< VERSION or TIMESTAMP (any case)
  std::string value;  ///< a snapshot id, or a timestamp DuckDB can cast to TIMESTAMPTZ
  bool empty() const { return unit.empty() && value.empty(); }
};

/// What a scan reads from: a FROM clause and the wire schema it yields.
struct Relation {
  std::string from_sql;
  std::shared_ptr<arrow::Schema> schema;
};

struct ScanOptions {
  int max_endpoints = 4;
  int64_t rows_per_endpoint = 1 << 20;  ///< fewer rows than this per endpoint: fewer endpoints
};

class TableScanner {
 public:
  TableScanner(engine::Engine* engine, std::shared_ptr<const lake::CatalogSnapshot> snapshot, ScanOptions options)
      : engine_(engine), snapshot_(std::move(snapshot)), options_(options) {}

  /// The relation for `table` at `at` (the table itself when `at` is empty).
  arrow::Result<Relation> Resolve(const lake::LakeTable& table, const TimeTravel& at) const;

  /// `SELECT` of every column of `relation` (unwanted ones null-filled) with `where` applied.
  /// `wanted` is one flag per column; empty means every column.
  static std::string SelectSql(const Relation& relation, const std::vector<bool>& wanted, const std::string& where);

  /// Conditions splitting a scan of `table` into endpoints (one empty condition: no split).
  arrow::Result<std::vector<std::string>> SplitConditions(const lake::LakeTable& table,
                                                          const Relation& relation) const;

  /// Tickets reading `relation` with `wanted` columns (empty: all), `where` applied ("" for
  /// none), one per endpoint of the split. IPC bodies are compressed when columns are
  /// null-filled.
  arrow::Result<std::vector<TicketContent>> Tickets(const lake::LakeTable& table, const Relation& relation,
                                                    const std::vector<bool>& wanted, const std::string& where) const;

  /// `relation` narrowed to `names` in that order: the columns a client was given. KeyError
  /// naming the first column that is gone.
  static arrow::Result<Relation> Project(const Relation& relation, const std::vector<std::string>& names);

  /// The column ids of an Airport request as flags over `schema` (ids past the end, the
  /// rowid and "no column" ids select nothing).
  static std::vector<bool> WantedColumns(const arrow::Schema& schema, const std::vector<uint64_t>& column_ids);

 private:
  arrow::Result<Relation> ResolveMerged(const lake::LakeTable& table, const std::string& at_clause) const;

  engine::Engine* engine_;
  std::shared_ptr<const lake::CatalogSnapshot> snapshot_;
  ScanOptions options_;
};

/// The table a PATH descriptor names: [catalog, schema, table] (Airport's descriptors go on with
/// the table's columns, see airport_catalog.h), [catalog, table] (schema main), [table] (in the
/// lake), or one element joining them with '/'. KeyError if unknown.
arrow::Result<const lake::LakeTable*> FindTable(const lake::CatalogSnapshot& snapshot,
                                                  const std::vector<std::string>& path);

}  // namespace homer::flight
