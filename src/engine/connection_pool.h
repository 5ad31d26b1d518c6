#pragma once
/// \file
/// Connections prepared before the sandbox locks the configuration. Per-connection settings
/// (profiling, which proves what a query read) cannot be changed once the configuration is
/// locked, so every query runs on a connection made ready at start-up.
///
/// Each of the pool's slots (one per concurrent query) holds two connections: one with DuckDB's
/// profiler on, for the queries that report what they read, and one without, for the rest (the
/// profiler costs about a tenth of a small query's server time).

#include <arrow/result.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "duckdb/database.h"

namespace homer::engine {

class ConnectionPool;

/// One slot's connections.
struct ConnectionSlot {
  duckdb::Connection plain;
  duckdb::Connection profiled;
};

/// A slot on loan, lending one of its connections; returned to the pool when destroyed.
class PooledConnection {
 public:
  PooledConnection() = default;
  PooledConnection(ConnectionPool* pool, ConnectionSlot slot, bool profiled)
      : pool_(pool), slot_(std::move(slot)), profiled_(profiled) {}
  PooledConnection(PooledConnection&&) noexcept = default;
  PooledConnection& operator=(PooledConnection&& other) noexcept;
  ~PooledConnection();

  const duckdb::Connection& get() const { return profiled_ ? slot_.profiled : slot_.plain; }
  bool profiled() const { return profiled_; }
  explicit operator bool() const { return static_cast<bool>(get()); }

 private:
  void Release();
  ConnectionPool* pool_ = nullptr;
  ConnectionSlot slot_;
  bool profiled_ = false;
};

class ConnectionPool {
 public:
  /// `size` slots; each slot's profiled connection is configured with `profiled_setup_sql`
  /// (SET statements).
  static arrow::Result<std::unique_ptr<ConnectionPool>> Make(const duckdb::Database& db, size_t size,
                                                             const std::vector<std::string>& profiled_setup_sql);

  /// A free slot's plain or profiled connection, waiting up to `wait` for one.
  arrow::Result<PooledConnection> Acquire(std::chrono::milliseconds wait, bool profiled);
  size_t size() const { return size_; }
  size_t available() const;
  /// Callers waiting in Acquire now.
  size_t waiting() const;

 private:
  friend class PooledConnection;
  ConnectionPool() = default;
  void Return(ConnectionSlot slot);

  mutable std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<ConnectionSlot> free_;
  size_t size_ = 0;
  size_t waiting_ = 0;
};

}  // namespace homer::engine
