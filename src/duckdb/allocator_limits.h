#pragma once
/// \file
/// Bounds on what DuckDB allocates. Its memory_limit governs the buffer manager (scans, joins,
/// sorts, aggregates) only: a value a query builds (`repeat('x', 2000000000)`: 2 GB, copied again
/// when the binder and the optimizer fold it into a constant), the vectors holding such values
/// and their string heaps are allocated outside it, and nothing else stopped them short of the
/// kernel's OOM killer.
///
/// libduckdb.so allocates its data through its built-in jemalloc (Allocator::DefaultAllocate,
/// DefaultReallocate and DefaultFree call duckdb_je_malloc, duckdb_je_realloc and duckdb_je_free,
/// through its PLT). This executable defines those three names, so the dynamic linker binds
/// libduckdb.so's calls to them: they count the bytes DuckDB holds and give NULL to a request
/// over a bound, which DuckDB raises as an Out of Memory error of the query that asked. gRPC,
/// Arrow and glibc's malloc are not involved (nor the sanitizers, which intercept malloc).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace homer::duckdb {

struct AllocatorLimits {
  /// One allocation larger than this is refused (0: no cap).
  uint64_t max_allocation = 0;
  std::string max_allocation_name;  ///< what errors call it (a config key)
  std::string max_allocation_text;  ///< its setting as written ("512MB")
  /// An allocation of 1 MiB or more is refused when it would take the bytes DuckDB holds, in every
  /// database of the process, past this (0: no ceiling). Smaller ones always pass: a refusal
  /// lands on the data of a query, never on a catalog write or a commit's bookkeeping.
  uint64_t ceiling = 0;
  std::string ceiling_name;
  std::string ceiling_text;
};

/// Set the bounds (process-wide; before or after databases are opened).
void LimitAllocations(AllocatorLimits limits);
/// Bytes DuckDB's allocator holds now (jemalloc's usable sizes; 0 without the built-in jemalloc).
int64_t AllocatedBytes();

/// A DuckDB failure that a bound caused.
struct RefusedAllocation {
  std::string message;  ///< what an operator can act on: the bound, its setting, the sizes
  std::string bound;    ///< the bound's name
  bool retryable;       ///< the ceiling (other queries' memory) rather than the query's own size
};
/// For a DuckDB error message that reports an allocation a bound refused; nullopt for any other.
std::optional<RefusedAllocation> ExplainRefusedAllocation(const std::string& message);

/// Called (with the bound's name) for each DuckDB error ExplainRefusedAllocation explains: a
/// query failed by a bound. Set once, before queries run.
void OnRefusedAllocation(std::function<void(const std::string& bound)> observer);
void NoteRefusedAllocation(const std::string& bound);

}  // namespace homer::duckdb
