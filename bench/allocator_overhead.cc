// allocator_overhead: what counting DuckDB's allocations costs (src/duckdb/allocator_limits.cc,
// the node's max_allocation_size and memory_ceiling), measured alone. The same workload runs in
// two executables: allocator_overhead_counted links the node's duckdb_je_malloc / realloc / free
// (every allocation admitted against both bounds and counted), allocator_overhead_plain does not
// (libduckdb.so calls its jemalloc directly). bench/allocator_overhead.py runs them alternately.
//
//   allocator_overhead_{counted,plain} [--rounds 3]   prints one JSON line per query per round

#include <duckdb.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#ifdef HOMER_COUNTED
#include "duckdb/allocator_limits.h"
#endif

namespace {

// Queries that allocate through DuckDB's Allocator in different ways: a string-keyed hash
// aggregate, a sort, a Parquet write and read (compression buffers), and many small queries.
struct Work {
  const char* name;
  const char* sql;
  int repeat;
};
constexpr Work kWork[] = {
    {"hash_aggregate",
     "SELECT count(*) FROM (SELECT (i % 3000000)::VARCHAR || 'abcdefgh' AS s, count(*) FROM range(12000000) t(i) "
     "GROUP BY s)",
     1},
    {"sort", "SELECT sum(x) FROM (SELECT hash(i) AS x FROM range(8000000) t(i) ORDER BY x LIMIT 100000)", 1},
    {"parquet_roundtrip",
     "COPY (SELECT i, i::VARCHAR || repeat('y', (i % 40)::INT) AS s FROM range(4000000) t(i)) TO "
     "'/dev/shm/allocator_overhead.parquet' (FORMAT parquet); "
     "SELECT sum(length(s)) FROM '/dev/shm/allocator_overhead.parquet'",
     1},
    {"small_queries", "SELECT sum(i), max(i::VARCHAR) FROM range(2048) t(i)", 3000},
};

void Check(duckdb_state state, duckdb_result* result, const char* what) {
  if (state == DuckDBSuccess) return;
  std::fprintf(stderr, "%s: %s\n", what, result ? duckdb_result_error(result) : "failed");
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::string(argv[i]) == "--rounds") rounds = std::atoi(argv[i + 1]);
  }
#ifdef HOMER_COUNTED
  // The node's defaults: 512MB per allocation, a ceiling of twice a 2GB memory_limit.
  homer::duckdb::LimitAllocations(
      {512'000'000, "max_allocation_size", "512MB", 4'000'000'000, "memory_ceiling", "4GB"});
  const char* variant = "counted";
#else
  const char* variant = "plain";
#endif
  duckdb_database db;
  duckdb_connection con;
  Check(duckdb_open(nullptr, &db), nullptr, "open");
  Check(duckdb_connect(db, &con), nullptr, "connect");
  duckdb_result result;
  Check(duckdb_query(con, "SET threads = 2; SET memory_limit = '2GB'", &result), &result, "settings");
  duckdb_destroy_result(&result);
  for (int round = 0; round < rounds; ++round) {
    for (const Work& work : kWork) {
      const auto start = std::chrono::steady_clock::now();
      for (int i = 0; i < work.repeat; ++i) {
        Check(duckdb_query(con, work.sql, &result), &result, work.name);
        duckdb_destroy_result(&result);
      }
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      std::printf("{\"variant\": \"%s\", \"round\": %d, \"work\": \"%s\", \"ms\": %.2f}\n", variant, round, work.name,
                  ms);
      std::fflush(stdout);
    }
  }
#ifdef HOMER_COUNTED
  // Nonzero: libduckdb.so's allocations did go through the counting entry points.
  std::printf("{\"variant\": \"counted\", \"duckdb_allocated_bytes\": %lld}\n",
              static_cast<long long>(homer::duckdb::AllocatedBytes()));
#endif
  duckdb_disconnect(&con);
  duckdb_close(&db);
  std::remove("/dev/shm/allocator_overhead.parquet");
  return 0;
}
