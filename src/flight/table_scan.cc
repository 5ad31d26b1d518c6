#include "flight/table_scan.h"

#include <algorithm>
#include <cctype>

#include "duckdb/sql_text.h"
#include "lake/merged_catalog.h"
#include "lake/statistics.h"

namespace homer::flight {
namespace {

using lake::LakeTable;
using duckdb::QuoteIdent;
using duckdb::QuoteLiteral;

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

std::string TimestampCast(const std::string& value) {
  return "CAST(" + QuoteLiteral(value) + " AS TIMESTAMP WITH TIME ZONE)";
}

/// ` AT (...)` for a validated time-travel request.
arrow::Result<std::string> AtClause(const TimeTravel& at) {
  const std::string unit = Upper(at.unit);
  if (unit == "VERSION") {
    const bool digits = !at.value.empty() && at.value.size() <= 19 &&
                        std::all_of(at.value.begin(), at.value.end(), [](unsigned char c) { return std::isdigit(c); });
    if (!digits) return arrow::Status::Invalid("at_value for VERSION must be a snapshot id, got '", at.value, "'");
    return " AT (VERSION => " + at.value + ")";
  }
  if (unit == "TIMESTAMP") {
    if (at.value.empty()) return arrow::Status::Invalid("at_value for TIMESTAMP is empty");
    return " AT (TIMESTAMP => " + TimestampCast(at.value) + ")";
  }
  return arrow::Status::Invalid("at_unit must be VERSION or TIMESTAMP, got '", at.unit, "'");
}

/// The column to split a scan on: `timestamp` if it is a TIMESTAMP, else the first TIMESTAMP.
std::optional<std::string> SplitColumn(const arrow::Schema& schema) {
  auto is_plain_ts = [](const arrow::Field& f) {
    if (f.type()->id() != arrow::Type::TIMESTAMP) return false;
    const auto& ts = static_cast<const arrow::TimestampType&>(*f.type());
    return ts.unit() == arrow::TimeUnit::MICRO && ts.timezone().empty();
  };
  if (auto f = schema.GetFieldByName("timestamp"); f && is_plain_ts(*f)) return f->name();
  for (const auto& f : schema.fields()) {
    if (is_plain_ts(*f)) return f->name();
  }
  return std::nullopt;
}

std::string TimestampLiteral(int64_t micros) { return "make_timestamp(CAST(" + std::to_string(micros) + " AS BIGINT))"; }

}  // namespace

arrow::Result<Relation> TableScanner::Resolve(const LakeTable& table, const TimeTravel& at) const {
  if (at.empty()) return Relation{table.QualifiedName(), table.arrow_schema};
  ARROW_ASSIGN_OR_RAISE(const std::string clause, AtClause(at));
  if (table.merged) {
    if (Upper(at.unit) == "VERSION") {
      return arrow::Status::Invalid("AT (VERSION => n) names one volume's snapshot: query a volume's schema (",
                                    table.name, " in one of the volume catalogs) or use AT (TIMESTAMP => ...)");
    }
    // Check the timestamp once: a bad value must not pass for "no volume had the table".
    ARROW_RETURN_NOT_OK(common::QueryText(engine_, "SELECT CAST(" + TimestampCast(at.value) + " AS VARCHAR)").status());
    return ResolveMerged(table, clause);
  }
  Relation r{table.QualifiedName() + clause, nullptr};
  ARROW_ASSIGN_OR_RAISE(r.schema, common::QuerySchema(engine_, "SELECT * FROM " + r.from_sql));
  return r;
}

arrow::Result<Relation> TableScanner::ResolveMerged(const LakeTable& table, const std::string& at_clause) const {
  // The union is built here, past the merged views: a volume that is not attached must still
  // fail the scan rather than leave its rows out (lake/merged_catalog.h), unless partial answers
  // are on (engine/partial_answer.h).
  std::string left_out;
  for (const auto& v : engine_->volumes()) {
    const bool listed = std::any_of(snapshot_->volumes.begin(), snapshot_->volumes.end(),
                                    [&](const auto& s) { return s.catalog == v.catalog; });
    if (listed) continue;
    if (!v.attached && !engine_->config().ducklake.partial_answers) {
      return arrow::Status::IOError(lake::NotAttachedMessage({v.config.name, v.catalog, v.error, "", ""}));
    }
    // A volume left out: the scan also reads the merged view (no rows), which makes the engine
    // mark it partial, and fails if the volume is attached by the time it runs.
    if (left_out.empty()) {
      left_out = " UNION ALL BY NAME SELECT storage_volume FROM " + table.QualifiedName() + " WHERE false";
    }
    const std::string late = "volume '" + v.config.name + "' was attached after this scan was planned: plan it again";
    left_out += " UNION ALL BY NAME SELECT CAST(error(" + QuoteLiteral(late) + ") AS VARCHAR) AS storage_volume " +
                "FROM duckdb_databases() WHERE database_name = " + QuoteLiteral(v.catalog);
  }
  std::string branches;
  for (const auto& v : snapshot_->volumes) {
    const LakeTable* own = snapshot_->Find(v.catalog, "main", table.name);
    if (own == nullptr) continue;
    std::string branch = "SELECT *";
    if (own->arrow_schema->GetFieldIndex("storage_volume") < 0) branch += ", " + QuoteLiteral(v.label) + " AS storage_volume";
    if (own->arrow_schema->GetFieldIndex("storage_lake") < 0) branch += ", " + QuoteLiteral(v.catalog) + " AS storage_lake";
    branch += " FROM " + own->QualifiedName() + at_clause;
    // A volume without a snapshot at that time, or without the table then, has no rows for it.
    auto probe = common::QuerySchema(engine_, branch);
    if (probe.status().IsInvalid() || probe.status().IsKeyError()) continue;
    ARROW_RETURN_NOT_OK(probe.status());
    branches += (branches.empty() ? "" : " UNION ALL BY NAME ") + branch;
  }
  if (branches.empty()) {
    return arrow::Status::KeyError("table ", table.name, " did not exist in any volume at that time");
  }
  Relation r{"(" + branches + left_out + ") AS " + QuoteIdent(table.name), nullptr};
  ARROW_ASSIGN_OR_RAISE(r.schema, common::QuerySchema(engine_, "SELECT * FROM " + r.from_sql));
  return r;
}

std::string TableScanner::SelectSql(const Relation& relation, const std::vector<bool>& wanted,
                                    const std::string& where) {
  std::string sql = "SELECT ";
  for (int i = 0; i < relation.schema->num_fields(); ++i) {
    const std::string name = QuoteIdent(relation.schema->field(i)->name());
    const bool keep = wanted.empty() || (static_cast<size_t>(i) < wanted.size() && wanted[i]);
    sql += (i ? ", " : "") + (keep ? name : "CASE WHEN false THEN " + name + " END AS " + name);
  }
  sql += " FROM " + relation.from_sql;
  if (!where.empty()) sql += " WHERE " + where;
  return sql;
}

arrow::Result<Relation> TableScanner::Project(const Relation& relation, const std::vector<std::string>& names) {
  if (relation.schema->field_names() == names) return relation;
  arrow::FieldVector fields;
  std::string columns;
  for (const auto& name : names) {
    auto field = relation.schema->GetFieldByName(name);
    if (!field) {
      return arrow::Status::KeyError("column ", name, " is no longer in the table: attach the catalog again");
    }
    fields.push_back(field);
    columns += (columns.empty() ? "" : ", ") + QuoteIdent(name);
  }
  return Relation{"(SELECT " + columns + " FROM " + relation.from_sql + ") AS scanned", arrow::schema(fields)};
}

std::vector<bool> TableScanner::WantedColumns(const arrow::Schema& schema, const std::vector<uint64_t>& column_ids) {
  std::vector<bool> wanted(schema.num_fields(), false);
  for (uint64_t id : column_ids) {
    if (id < wanted.size()) wanted[id] = true;
  }
  return wanted;
}

arrow::Result<std::vector<std::string>> TableScanner::SplitConditions(const LakeTable& table,
                                                                      const Relation& relation) const {
  const std::vector<std::string> whole = {""};
  auto column = SplitColumn(*relation.schema);
  if (!column || options_.max_endpoints <= 1 || !SplitColumn(*table.arrow_schema)) return whole;
  ARROW_ASSIGN_OR_RAISE(int64_t rows, lake::RecordCount(common::MetadataReader(engine_), *snapshot_, table));
  const int64_t n = std::min<int64_t>(options_.max_endpoints, rows / std::max<int64_t>(1, options_.rows_per_endpoint));
  if (n <= 1) return whole;
  ARROW_ASSIGN_OR_RAISE(auto range, lake::TimestampRange(common::MetadataReader(engine_), *snapshot_, table, *column));
  if (!range || range->second - range->first < n) return whole;
  const std::string col = QuoteIdent(*column);
  std::vector<std::string> out;
  int64_t prev = 0;
  for (int64_t i = 1; i <= n; ++i) {
    const int64_t bound = range->first + static_cast<int64_t>((static_cast<long double>(range->second) - range->first) * i / n);
    if (i == 1) out.push_back("(" + col + " < " + TimestampLiteral(bound) + " OR " + col + " IS NULL)");
    else if (i == n) out.push_back("(" + col + " >= " + TimestampLiteral(prev) + ")");
    else out.push_back("(" + col + " >= " + TimestampLiteral(prev) + " AND " + col + " < " + TimestampLiteral(bound) + ")");
    prev = bound;
  }
  return out;
}

arrow::Result<std::vector<TicketContent>> TableScanner::Tickets(const LakeTable& table, const Relation& relation,
                                                               const std::vector<bool>& wanted,
                                                               const std::string& where) const {
  ARROW_ASSIGN_OR_RAISE(auto splits, SplitConditions(table, relation));
  const bool null_filled = std::find(wanted.begin(), wanted.end(), false) != wanted.end();
  std::vector<TicketContent> out;
  for (const auto& split : splits) {
    std::string condition = where;
    if (!split.empty()) condition = where.empty() ? split : "(" + where + ") AND " + split;
    out.push_back({SelectSql(relation, wanted, condition), null_filled});
  }
  return out;
}

arrow::Result<const LakeTable*> FindTable(const lake::CatalogSnapshot& snapshot, const std::vector<std::string>& path) {
  std::vector<std::string> parts = path;
  if (parts.size() == 1 && parts[0].find('/') != std::string::npos) {
    parts.clear();
    size_t start = 0, slash;
    while ((slash = path[0].find('/', start)) != std::string::npos) {
      parts.push_back(path[0].substr(start, slash - start));
      start = slash + 1;
    }
    parts.push_back(path[0].substr(start));
  }
  const LakeTable* found = nullptr;
  if (parts.size() >= 3) found = snapshot.Find(parts[0], parts[1], parts[2]);
  if (parts.size() == 2) found = snapshot.Find(parts[0], "main", parts[1]);
  if (parts.size() == 1) found = snapshot.Find(snapshot.lake_name, "main", parts[0]);
  if (found == nullptr) {
    std::string joined;
    for (const auto& p : path) joined += (joined.empty() ? "" : ", ") + p;
    return arrow::Status::KeyError("no table at path [", joined,
                                   "]: use [catalog, schema, table] or 'catalog/schema/table' (ListFlights lists them)");
  }
  return found;
}

}  // namespace homer::flight
