#include "engine/connection_pool.h"

#include "engine/try_later.h"

namespace homer::engine {

PooledConnection& PooledConnection::operator=(PooledConnection&& other) noexcept {
  if (this != &other) {
    Release();
    pool_ = std::exchange(other.pool_, nullptr);
    slot_ = std::move(other.slot_);
    profiled_ = other.profiled_;
  }
  return *this;
}

PooledConnection::~PooledConnection() { Release(); }

void PooledConnection::Release() {
  if (pool_ && slot_.plain) pool_->Return(std::move(slot_));
  pool_ = nullptr;
}

arrow::Result<std::unique_ptr<ConnectionPool>> ConnectionPool::Make(const duckdb::Database& db, size_t size,
                                                                     const std::vector<std::string>& profiled_setup_sql) {
  std::unique_ptr<ConnectionPool> pool(new ConnectionPool());
  pool->size_ = size;
  for (size_t i = 0; i < size; ++i) {
    ConnectionSlot slot;
    ARROW_ASSIGN_OR_RAISE(slot.plain, duckdb::Connect(db));
    ARROW_ASSIGN_OR_RAISE(slot.profiled, duckdb::Connect(db));
    for (const auto& sql : profiled_setup_sql) ARROW_RETURN_NOT_OK(duckdb::Exec(slot.profiled, sql));
    pool->free_.push_back(std::move(slot));
  }
  return pool;
}

arrow::Result<PooledConnection> ConnectionPool::Acquire(std::chrono::milliseconds wait, bool profiled) {
  std::unique_lock lock(mutex_);
  ++waiting_;
  const bool got = returned_.wait_for(lock, wait, [this] { return !free_.empty(); });
  --waiting_;
  if (!got) {
    return TooManyQueries(size_, wait);
  }
  ConnectionSlot slot = std::move(free_.back());
  free_.pop_back();
  return PooledConnection(this, std::move(slot), profiled);
}

size_t ConnectionPool::waiting() const {
  std::lock_guard lock(mutex_);
  return waiting_;
}

size_t ConnectionPool::available() const {
  std::lock_guard lock(mutex_);
  return free_.size();
}

void ConnectionPool::Return(ConnectionSlot slot) {
  {
    std::lock_guard lock(mutex_);
    free_.push_back(std::move(slot));
  }
  returned_.notify_one();
}

}  // namespace homer::engine
