#include "lake/demo_lake.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "duckdb/database.h"
#include "duckdb/sql_text.h"
#include "lake/demo_lake_sql.h"
#include "lake/hep_tables.h"

namespace homer::lake {
namespace {

namespace fs = std::filesystem;
using duckdb::Connection;
using duckdb::Exec;
using duckdb::QuoteIdent;
using duckdb::QuoteLiteral;

/// Calls generated per statement: bounds the sort's memory on benchmark-sized days.
constexpr int64_t kMaxCallsPerChunk = 250000;

std::string ReplaceAll(std::string text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

struct VolumePlan {
  DemoLakeLayout::Volume layout;
  std::string catalog;  ///< attach name
};

struct DayPlan {
  int64_t epoch_day = 0;
  std::string date;
  const VolumePlan* volume = nullptr;
};

/// All tables of a volume, partitioned by date, in one catalog transaction.
arrow::Status CreateTables(const Connection& con, const VolumePlan& volume) {
  std::string sql = "BEGIN TRANSACTION;";
  for (const auto& table : demo::Tables()) sql += CreateHepTableSql(volume.catalog, table.name, table.schema);
  const arrow::Status st = Exec(con, sql + "COMMIT");
  if (!st.ok()) (void)Exec(con, "ROLLBACK");
  return st;
}

/// COPY one timestamp-ordered slice of a table into its partition folder and return the rows
/// written; `*register_sql` gets the call that adds the file to the DuckLake table. (A
/// partitioned INSERT would interleave its writer threads' row groups.)
arrow::Result<int64_t> WriteFile(const Connection& con, const VolumePlan& volume, const demo::TableSpec& table,
                                 const std::string& date, const std::string& source, uint64_t file_key,
                                 std::string* register_sql) {
  const fs::path folder = fs::path(volume.layout.data_path) / "main" / table.name / ("date=" + date);
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) return arrow::Status::IOError("cannot create ", folder.string(), ": ", ec.message());
  const uint64_t a = SplitMix64(file_key), b = SplitMix64(a);
  char name[80];
  std::snprintf(name, sizeof(name), "ducklake-%08llx-%04llx-%04llx-%04llx-%012llx.parquet",
                static_cast<unsigned long long>(a >> 32), static_cast<unsigned long long>((a >> 16) & 0xffff),
                static_cast<unsigned long long>(a & 0xffff), static_cast<unsigned long long>(b >> 48),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  const std::string file = (folder / name).string();
  const std::string query = ReplaceAll(ReplaceAll(table.query, "@SRC@", source), "@ALLOW@", demo::kAllow);
  ARROW_ASSIGN_OR_RAISE(const int64_t rows,
                        duckdb::ExecCount(con, "COPY (" + query + ") TO " + QuoteLiteral(file) + " (FORMAT parquet)"));
  if (rows == 0) {  // e.g. a slice without answered calls has no RTCP: keep empty files out of the lake
    fs::remove(file, ec);
    fs::remove(folder, ec);  // only if empty
    return 0;
  }
  // DuckLake maps the file's columns by name and takes the partition value from its folder.
  *register_sql += "CALL ducklake_add_data_files(" + QuoteLiteral(volume.catalog) + ", " + QuoteLiteral(table.name) +
                   ", " + QuoteLiteral(file) + ", hive_partitioning => true);";
  return rows;
}

/// `macro(seed, day, first, last, ...)` over [first, last) as a UNION ALL of slices: range() is a
/// single-threaded source, the branches of a union run in parallel.
std::string SourceSql(const std::string& macro, const std::string& args_head, int64_t first, int64_t last,
                      const std::string& args_tail) {
  const int64_t slices = std::clamp<int64_t>((last - first) / 10000, 1, 4);
  std::string sql = "(";
  for (int64_t i = 0; i < slices; ++i) {
    const int64_t a = first + (last - first) * i / slices, b = first + (last - first) * (i + 1) / slices;
    sql += std::string(i ? " UNION ALL " : "") + "SELECT * FROM " + macro + "(" + args_head + std::to_string(a) +
           ", " + std::to_string(b) + args_tail + ")";
  }
  return sql + ")";
}

/// Every table's rows for one day; returns the row count per table (kTables order). The call
/// table is written on `con` while `side_con` writes the others at the same time: alone, most
/// statements keep fewer than two cores busy.
arrow::Result<std::vector<int64_t>> WriteDay(const Connection& con, const Connection& side_con,
                                             const DemoLakeOptions& options, const DayPlan& day) {
  const int64_t calls = options.calls_per_day;
  // Per Source: the day's event count and the table macro generating the events.
  const int64_t counts[] = {calls, std::max<int64_t>(1, calls / 6), std::max<int64_t>(1, calls / 4)};
  const char* macros[] = {"demo_calls", "demo_events", "demo_events"};
  const int64_t endpoints = std::clamp<int64_t>(calls / 5, 20, 200000);
  const int64_t parts = (calls + kMaxCallsPerChunk - 1) / kMaxCallsPerChunk;
  const std::string head =
      "CAST(" + QuoteLiteral(std::to_string(options.seed)) + " AS UBIGINT), " + std::to_string(day.epoch_day) + ", ";
  const auto tables = demo::Tables();
  std::vector<int64_t> rows(tables.size(), 0);
  std::string register_sql[2];
  for (int64_t part = 0; part < parts; ++part) {
    std::string sources[3];
    for (size_t s = 0; s < 3; ++s) {
      const int64_t first = counts[s] * part / parts, last = counts[s] * (part + 1) / parts;
      // The last argument salts the event hashes, so calls, registrations and pings differ.
      const std::string tail = ", " + std::to_string(counts[s]) + ", " + std::to_string(endpoints) + ", " +
                               std::to_string(s + 1);
      if (first < last) sources[s] = SourceSql(macros[s], head, first, last, tail);
    }
    // Five tables derive from the calls: generate them once per part, visible to both connections.
    ARROW_RETURN_NOT_OK(Exec(con, "CREATE OR REPLACE TABLE demo_slice AS " + sources[0]));
    sources[0] = "demo_slice";
    // The call table (kTables[0]) on `con`, the others on `side_con`.
    const auto write_tables = [&](const Connection& c, bool side) -> arrow::Status {
      for (size_t t = 0; t < tables.size(); ++t) {
        const std::string& source = sources[static_cast<size_t>(tables[t].source)];
        if (source.empty() || (t != 0) != side) continue;
        const uint64_t key = SplitMix64(static_cast<uint64_t>(day.epoch_day) * 1000003 + t * 1009 + part);
        ARROW_ASSIGN_OR_RAISE(const int64_t n, WriteFile(c, *day.volume, tables[t], day.date, source,
                                                         options.seed ^ key, &register_sql[side]));
        rows[t] += n;
      }
      return arrow::Status::OK();
    };
    auto side = std::async(std::launch::async, write_tables, std::cref(side_con), true);
    const arrow::Status main_status = write_tables(con, false);
    const arrow::Status side_status = side.get();  // always joined: the task uses this frame
    ARROW_RETURN_NOT_OK(main_status);
    ARROW_RETURN_NOT_OK(side_status);
  }
  ARROW_RETURN_NOT_OK(Exec(con, "DROP TABLE IF EXISTS demo_slice"));
  // One catalog commit per day: each commit syncs the SQLite file.
  const arrow::Status st = Exec(con, "BEGIN TRANSACTION;" + register_sql[0] + register_sql[1] + "COMMIT");
  if (!st.ok()) (void)Exec(con, "ROLLBACK");
  ARROW_RETURN_NOT_OK(st);
  return rows;
}

arrow::Status ValidateOptions(const DemoLakeOptions& options) {
  using arrow::Status;
  if (options.dir.empty()) return Status::Invalid("demo lake: no output folder given");
  const std::string& name = options.lake_name;
  const auto ident_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])) ||
      !std::all_of(name.begin(), name.end(), ident_char)) {
    return Status::Invalid("demo lake: lake_name '", name, "' must be an identifier (letters, digits, _)");
  }
  if (options.days < 1 || options.days > 3660) {
    return Status::Invalid("demo lake: days must be 1..3660, got ", options.days);
  }
  if (options.hot_days < 0) return Status::Invalid("demo lake: hot_days must be >= 0, got ", options.hot_days);
  if (options.calls_per_day < 1 || options.calls_per_day > 100000000) {
    return Status::Invalid("demo lake: calls per day must be 1..100000000, got ", options.calls_per_day);
  }
  return Status::OK();
}

std::vector<VolumePlan> PlanVolumes(const DemoLakeOptions& options) {
  const fs::path dir = fs::absolute(options.dir).lexically_normal();
  const std::string& lake = options.lake_name;
  return {{{"hot", (dir / (lake + ".sqlite")).string(), (dir / "data" / "hot").string() + "/"}, lake + "_hot"},
          {{"cold", (dir / (lake + "_cold.sqlite")).string(), (dir / "data" / "cold").string() + "/"}, lake + "_cold"}};
}

/// A catalog and the SQLite side files that may sit next to it.
std::vector<std::string> CatalogFiles(const VolumePlan& volume) {
  const std::string& path = volume.layout.catalog_path;
  return {path, path + "-journal", path + "-wal", path + "-shm"};
}

/// AlreadyExists when any part of the lake is present: never append to (or mix with) old data.
arrow::Status CheckAbsent(const std::vector<VolumePlan>& volumes) {
  std::error_code ec;
  for (const auto& volume : volumes) {
    for (const auto& path : CatalogFiles(volume)) {
      if (fs::exists(path, ec)) {
        return arrow::Status::AlreadyExists("demo lake: '", path, "' exists, so the folder already holds a lake ",
                                            "(or part of one); remove it or choose another folder");
      }
    }
    const std::string& data = volume.layout.data_path;
    if (fs::exists(data, ec) && !fs::is_empty(data, ec)) {
      return arrow::Status::AlreadyExists("demo lake: data folder '", data,
                                          "' is not empty; remove it or choose another folder");
    }
  }
  return arrow::Status::OK();
}

/// Undo a failed run; CheckAbsent made sure none of these paths held anything before.
void RemoveLake(const std::vector<VolumePlan>& volumes) {
  std::error_code ec;
  for (const auto& volume : volumes) {
    for (const auto& path : CatalogFiles(volume)) fs::remove(path, ec);
    fs::remove_all(volume.layout.data_path, ec);
  }
  fs::remove(fs::path(volumes.front().layout.data_path).parent_path().parent_path(), ec);  // <dir>/data if empty
}

/// Open the catalogs (created by ATTACH) and their tables.
arrow::Status CreateVolumes(const Connection& con, const std::vector<VolumePlan>& volumes) {
  for (const auto& volume : volumes) {
    std::error_code ec;
    fs::create_directories(volume.layout.data_path, ec);
    if (ec) return arrow::Status::IOError("cannot create ", volume.layout.data_path, ": ", ec.message());
    ARROW_RETURN_NOT_OK(Exec(con, "ATTACH " + QuoteLiteral("ducklake:sqlite:" + volume.layout.catalog_path) +
                                      " AS " + QuoteIdent(volume.catalog) + " (DATA_PATH " +
                                      QuoteLiteral(volume.layout.data_path) + ")"));
    ARROW_RETURN_NOT_OK(CreateTables(con, volume));
  }
  return arrow::Status::OK();
}

arrow::Status WriteLake(const DemoLakeOptions& options, const std::vector<VolumePlan>& volumes,
                        int64_t* rows_written) {
  duckdb::DatabaseOptions db_options;
  db_options.extension_dir = options.extension_dir;
  ARROW_ASSIGN_OR_RAISE(auto db, duckdb::OpenDatabase(db_options));
  ARROW_ASSIGN_OR_RAISE(auto con, duckdb::Connect(db));
  ARROW_ASSIGN_OR_RAISE(auto side_con, duckdb::Connect(db));
  const std::string setup = demo::SetupSql();
  ARROW_RETURN_NOT_OK(Exec(con, setup));
  ARROW_RETURN_NOT_OK(Exec(side_con, setup));
  ARROW_RETURN_NOT_OK(CreateVolumes(con, volumes));
  const int64_t today =
      std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()).time_since_epoch().count();
  for (int d = 0; d < options.days; ++d) {
    DayPlan day;
    day.epoch_day = today - (options.days - 1 - d);
    day.date = DateText(day.epoch_day);
    day.volume = &volumes[d >= options.days - options.hot_days ? 0 : 1];
    const auto start = std::chrono::steady_clock::now();
    ARROW_ASSIGN_OR_RAISE(const auto rows, WriteDay(con, side_con, options, day));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    int64_t day_rows = 0;
    for (int64_t n : rows) day_rows += n;
    *rows_written += day_rows;
    if (options.progress) {
      char line[256];
      std::snprintf(line, sizeof(line), "day %d/%d %s -> %s: %lld call messages, %lld rows in all, %.1f s",
                    d + 1, options.days, day.date.c_str(), day.volume->layout.name.c_str(),
                    static_cast<long long>(rows[0]), static_cast<long long>(day_rows), seconds);
      options.progress(line);
    }
  }
  for (const auto& volume : volumes) ARROW_RETURN_NOT_OK(Exec(con, "DETACH " + QuoteIdent(volume.catalog)));
  return arrow::Status::OK();
}

}  // namespace

std::string DateText(int64_t epoch_day) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{epoch_day}}};
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

arrow::Result<DemoLakeLayout> GenerateDemoLake(const DemoLakeOptions& options) {
  ARROW_RETURN_NOT_OK(ValidateOptions(options));
  const std::vector<VolumePlan> volumes = PlanVolumes(options);
  ARROW_RETURN_NOT_OK(CheckAbsent(volumes));
  DemoLakeLayout layout;
  for (const auto& volume : volumes) layout.volumes.push_back(volume.layout);
  const arrow::Status st = WriteLake(options, volumes, &layout.rows_written);
  if (!st.ok()) {
    RemoveLake(volumes);
    return st.WithMessage("demo lake in '", options.dir, "': ", st.message());
  }
  return layout;
}

bool DemoLakeExists(const std::string& dir, const std::string& lake_name) {
  std::error_code ec;
  const fs::path root(dir);
  return fs::exists(root / (lake_name + ".sqlite"), ec) && fs::exists(root / (lake_name + "_cold.sqlite"), ec);
}

std::string DemoNodeConfig(const DemoLakeLayout& layout, int port) {
  nlohmann::json volumes = nlohmann::json::array();
  for (const auto& v : layout.volumes) {
    volumes.push_back({{"name", v.name}, {"type", "local"}, {"catalog_type", "sqlite"},
                       {"catalog_path", v.catalog_path}, {"path", v.data_path}});
  }
  const nlohmann::json config = {
      {"node",
       {{"enable", true},
        {"flight_server", {{"host", "127.0.0.1"}, {"port", port}}},
        {"flightsql_server", {{"enable", false}, {"catalog_refresh_interval_sec", 5}}},
        {"ducklake", {{"lake_name", "homer_lake"}, {"volumes", volumes}}}}}};
  return config.dump(2) + "\n";
}

}  // namespace homer::lake
