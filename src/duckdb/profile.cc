#include "duckdb/profile.h"

#include <duckdb.h>

#include <charconv>
#include <string_view>

#include <map>

#include "duckdb/handles_internal.h"

namespace homer::duckdb {
namespace {

template <typename Number>
Number Parse(const std::string& text) {
  Number n{};
  std::from_chars(text.data(), text.data() + text.size(), n);
  return n;
}

std::string Text(duckdb_value v) {
  if (!v) return {};
  char* s = duckdb_get_varchar(v);
  std::string out = s ? s : "";
  duckdb_free(s);
  return out;
}

/// EXTRA_INFO arrives as text shaped like a map: {Table=t, Total Files Read=2, 'Filename(s)'=/a.parquet
/// /b.parquet}; list values are separated by newlines, values with special characters quoted.
/// Returns the first line of `key`'s value.
std::string Field(const std::string& info, std::string_view key) {
  const std::string needle = std::string(key) + "=";
  size_t at = info.find(needle);
  while (at != std::string::npos && at > 0 && info[at - 1] != '{' && info[at - 1] != ' ' && info[at - 1] != '\'') {
    at = info.find(needle, at + 1);
  }
  if (at == std::string::npos) return {};
  size_t pos = at + needle.size();
  std::string value;
  const bool quoted = pos < info.size() && info[pos] == '\'';  // values holding '=' or ',' are quoted
  if (quoted) ++pos;
  for (; pos < info.size(); ++pos) {
    const char c = info[pos];
    if (quoted && c == '\'') {
      if (pos + 1 < info.size() && info[pos + 1] == '\'') {
        value += c;
        ++pos;
        continue;
      }
      break;
    }
    if (c == '\n' || (!quoted && (c == ',' || c == '}'))) break;
    value += c;
  }
  return value;
}

void Walk(duckdb_profiling_info node, QueryProfile* profile) {
  Value extra(duckdb_profiling_info_get_value(node, "EXTRA_INFO"));
  const std::string info = Text(extra.get());
  const std::string files = Field(info, "Total Files Read");
  if (!files.empty()) {
    ScanProfile scan;
    scan.table = Field(info, "Table");
    scan.files_read = Parse<int64_t>(files);
    scan.first_file = Field(info, "'Filename(s)'");
    profile->scans.push_back(std::move(scan));
  }
  const idx_t children = duckdb_profiling_info_get_child_count(node);
  for (idx_t i = 0; i < children; ++i) Walk(duckdb_profiling_info_get_child(node, i), profile);
}

}  // namespace

QueryProfile ReadQueryProfile(const Connection& con) {
  QueryProfile profile;
  duckdb_profiling_info root = duckdb_get_profiling_info(con.get());  // owned by the connection
  if (!root) return profile;
  Value rows(duckdb_profiling_info_get_value(root, "CUMULATIVE_ROWS_SCANNED"));
  Value latency(duckdb_profiling_info_get_value(root, "LATENCY"));
  if (rows) profile.rows_scanned = Parse<int64_t>(Text(rows.get()));
  if (latency) profile.latency_seconds = Parse<double>(Text(latency.get()));
  Walk(root, &profile);
  return profile;
}

}  // namespace homer::duckdb
