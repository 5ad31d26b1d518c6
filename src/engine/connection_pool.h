#pragma once
/// \file
/// Connections prepared before the sandbox locks the configuration. Per-connection settings
/// (profiling, which proves what a query read) cannot be changed once the configuration is
/// locked, so every query runs on a connection made ready at start-up.

#include <arrow/result.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/duckdb_handles.h"

namespace homer::engine {

class ConnectionPool;

/// A connection on loan; returned to the pool when destroyed.
class PooledConnection {
 public:
  PooledConnection() = default;
  PooledConnection(ConnectionPool* pool, Connection con) : pool_(pool), con_(std::move(con)) {}
  PooledConnection(PooledConnection&&) noexcept = default;
  PooledConnection& operator=(PooledConnection&& other) noexcept;
  ~PooledConnection();

  duckdb_connection get() const { return con_.get(); }
  explicit operator bool() const { return static_cast<bool>(con_); }

 private:
  void Release();
  ConnectionPool* pool_ = nullptr;
  Connection con_;
};

class ConnectionPool {
 public:
  /// `size` connections, each configured with `setup_sql` (SET statements).
  static arrow::Result<std::unique_ptr<ConnectionPool>> Make(const Database& db, size_t size,
                                                             const std::vector<std::string>& setup_sql);

  /// A free connection, waiting up to `wait` for one.
  arrow::Result<PooledConnection> Acquire(std::chrono::milliseconds wait);
  size_t size() const { return size_; }
  size_t available() const;

 private:
  friend class PooledConnection;
  ConnectionPool() = default;
  void Return(Connection con);

  mutable std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<Connection> free_;
  size_t size_ = 0;
};

}  // namespace homer::engine
