#include "duckdb/allocator_limits.h"

#include <dlfcn.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <regex>

namespace homer::duckdb {
namespace {

constexpr uint64_t kCeilingFrom = 1 << 20;  // smaller allocations are never refused by the ceiling

std::atomic<uint64_t> max_allocation{0};
std::atomic<uint64_t> ceiling{0};
std::atomic<int64_t> allocated{0};
/// The last allocations the ceiling refused, and what DuckDB held then, for their errors (which
/// DuckDB raises with the size only, maybe on another thread).
struct Refusal {
  std::atomic<uint64_t> size{0};
  std::atomic<int64_t> held{0};
};
constexpr size_t kRefusals = 16;
Refusal refusals[kRefusals];
std::atomic<size_t> next_refusal{0};

std::mutex mutex;  // guards what follows (read only when a query fails)
AllocatorLimits names;
std::function<void(const std::string&)> observer;

/// libduckdb.so's own definition of `name` (the next one after this executable's).
template <typename Fn>
Fn Next(const char* name) {
  auto fn = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
  if (!fn) std::abort();  // only libduckdb.so calls these names, and it defines them all
  return fn;
}

size_t UsableSize(void* ptr) {
  static const auto usable = Next<size_t (*)(void*)>("duckdb_je_malloc_usable_size");
  return ptr ? usable(ptr) : 0;
}

/// False when a request of `size` bytes is over a bound. `releasing`: what the request gives back
/// if it succeeds (a re-allocation's old block).
bool Admit(uint64_t size, uint64_t releasing) {
  const uint64_t cap = max_allocation.load(std::memory_order_relaxed);
  if (cap != 0 && size > cap) return false;
  const uint64_t top = ceiling.load(std::memory_order_relaxed);
  if (top == 0 || size < kCeilingFrom || size <= releasing) return true;
  const int64_t held = allocated.load(std::memory_order_relaxed);
  if (held + static_cast<int64_t>(size - releasing) <= static_cast<int64_t>(top)) return true;
  Refusal& r = refusals[next_refusal.fetch_add(1, std::memory_order_relaxed) % kRefusals];
  r.held.store(held, std::memory_order_relaxed);
  r.size.store(size, std::memory_order_relaxed);
  return false;
}

/// In the config's units (powers of 1000, as DuckDB reads "512MB").
std::string Human(double bytes) {
  const char* units[] = {"bytes", "KB", "MB", "GB", "TB"};
  int unit = 0;
  while (bytes >= 1000 && unit < 4) {
    bytes /= 1000;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof(text), unit ? "%.1f %s" : "%.0f %s", bytes, units[unit]);
  return text;
}

}  // namespace

void LimitAllocations(AllocatorLimits limits) {
  std::lock_guard lock(mutex);
  max_allocation.store(limits.max_allocation, std::memory_order_relaxed);
  ceiling.store(limits.ceiling, std::memory_order_relaxed);
  names = std::move(limits);
}

int64_t AllocatedBytes() { return allocated.load(std::memory_order_relaxed); }

std::optional<RefusedAllocation> ExplainRefusedAllocation(const std::string& message) {
  // DuckDB's Allocator, for an allocation or a re-allocation that got NULL.
  static const std::regex kFailed(R"(allocate block of (\d+) bytes)");
  std::smatch m;
  if (!std::regex_search(message, m, kFailed)) return std::nullopt;
  const uint64_t size = std::strtoull(m[1].str().c_str(), nullptr, 10);
  std::lock_guard lock(mutex);
  if (names.max_allocation != 0 && size > names.max_allocation) {
    return RefusedAllocation{"the query needs a single allocation of " + Human(size) + " (a value or an " +
                                 "intermediate result that large), more than " + names.max_allocation_name + " (" +
                                 names.max_allocation_text + ") allows",
                             names.max_allocation_name, false};
  }
  for (const Refusal& r : refusals) {
    if (names.ceiling == 0 || size != r.size.load(std::memory_order_relaxed)) continue;
    return RefusedAllocation{"the query's allocation of " + Human(size) + " would take what DuckDB holds for " +
                                 "all queries (" + Human(r.held.load(std::memory_order_relaxed)) + ") past " +
                                 names.ceiling_name + " (" + names.ceiling_text + ")",
                             names.ceiling_name, true};
  }
  return std::nullopt;  // the system refused it, not a bound
}

void OnRefusedAllocation(std::function<void(const std::string&)> fn) {
  std::lock_guard lock(mutex);
  observer = std::move(fn);
}

void NoteRefusedAllocation(const std::string& bound) {
  std::function<void(const std::string&)> fn;
  {
    std::lock_guard lock(mutex);
    fn = observer;
  }
  if (fn) fn(bound);
}

}  // namespace homer::duckdb

// The names DuckDB's Allocator calls (its jemalloc, built in with the duckdb_je_ prefix).
extern "C" {

void* duckdb_je_malloc(size_t size) {
  using homer::duckdb::allocated;
  static const auto next = homer::duckdb::Next<void* (*)(size_t)>("duckdb_je_malloc");
  if (!homer::duckdb::Admit(size, 0)) return nullptr;
  void* ptr = next(size);
  allocated.fetch_add(static_cast<int64_t>(homer::duckdb::UsableSize(ptr)), std::memory_order_relaxed);
  return ptr;
}

void* duckdb_je_realloc(void* ptr, size_t size) {
  using homer::duckdb::allocated;
  static const auto next = homer::duckdb::Next<void* (*)(void*, size_t)>("duckdb_je_realloc");
  const size_t before = homer::duckdb::UsableSize(ptr);
  if (!homer::duckdb::Admit(size, before)) return nullptr;  // the old block stays the caller's
  void* moved = next(ptr, size);
  if (moved == nullptr && size != 0) return nullptr;  // failed: nothing changed
  allocated.fetch_add(static_cast<int64_t>(homer::duckdb::UsableSize(moved)) - static_cast<int64_t>(before),
                      std::memory_order_relaxed);
  return moved;
}

void duckdb_je_free(void* ptr) {
  using homer::duckdb::allocated;
  static const auto next = homer::duckdb::Next<void (*)(void*)>("duckdb_je_free");
  if (!ptr) return;
  allocated.fetch_sub(static_cast<int64_t>(homer::duckdb::UsableSize(ptr)), std::memory_order_relaxed);
  next(ptr);
}

}  // extern "C"
