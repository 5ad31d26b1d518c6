#include "engine/connection_pool.h"

#include "engine/duckdb_util.h"

namespace homer::engine {

PooledConnection& PooledConnection::operator=(PooledConnection&& other) noexcept {
  if (this != &other) {
    Release();
    pool_ = std::exchange(other.pool_, nullptr);
    con_ = std::move(other.con_);
  }
  return *this;
}

PooledConnection::~PooledConnection() { Release(); }

void PooledConnection::Release() {
  if (pool_ && con_) pool_->Return(std::move(con_));
  pool_ = nullptr;
}

arrow::Result<std::unique_ptr<ConnectionPool>> ConnectionPool::Make(const Database& db, size_t size,
                                                                     const std::vector<std::string>& setup_sql) {
  std::unique_ptr<ConnectionPool> pool(new ConnectionPool());
  pool->size_ = size;
  for (size_t i = 0; i < size; ++i) {
    ARROW_ASSIGN_OR_RAISE(auto con, Connect(db));
    for (const auto& sql : setup_sql) ARROW_RETURN_NOT_OK(Exec(con.get(), sql));
    pool->free_.push_back(std::move(con));
  }
  return pool;
}

arrow::Result<PooledConnection> ConnectionPool::Acquire(std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  if (!returned_.wait_for(lock, wait, [this] { return !free_.empty(); })) {
    return arrow::Status::CapacityError("all ", size_, " query connections are busy; try again later");
  }
  Connection con = std::move(free_.back());
  free_.pop_back();
  return PooledConnection(this, std::move(con));
}

size_t ConnectionPool::available() const {
  std::lock_guard lock(mutex_);
  return free_.size();
}

void ConnectionPool::Return(Connection con) {
  {
    std::lock_guard lock(mutex_);
    free_.push_back(std::move(con));
  }
  returned_.notify_one();
}

}  // namespace homer::engine
