/// \file
/// The writer's flushes: buffered rows to the lake in one DuckLake commit with their marks, and
/// flushed rows out of the buffer once no query can miss them.

#include <spdlog/spdlog.h>

#include <chrono>

#include "duckdb/sql_text.h"
#include "lake/commit_gate.h"
#include "lake/commit_retry.h"
#include "lake/write_buffer.h"
#include "writer/journal.h"
#include "writer/table_buffer.h"
#include "writer/writer.h"
#include "writer/writer_metrics.h"

namespace homer::writer {
namespace {

using duckdb::Exec;
using duckdb::QualifiedName;
using duckdb::QuoteIdent;

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void Writer::FlushLoop() {
  const auto interval = std::chrono::seconds(std::max(1, options_.storage.flush_interval_sec));
  auto last = std::chrono::steady_clock::now();
  std::unique_lock lock(wake_mutex_);
  while (!stopping_) {
    // Wake at least every second: flushed rows leave the buffer once their readers are gone.
    wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_ || flush_requested_; });
    if (stopping_) break;
    const bool due = flush_requested_ || std::chrono::steady_clock::now() - last >= interval;
    flush_requested_ = false;
    lock.unlock();
    if (due) {
      last = std::chrono::steady_clock::now();
      auto st = FlushToLake();
      if (!st.ok()) spdlog::error("writer: flush to the lake failed (rows stay buffered, retried): {}", st.message());
    } else {
      std::lock_guard flush(flush_mutex_);
      Reclaim();
    }
    lock.lock();
  }
}

arrow::Status Writer::FlushToLake() {
  std::lock_guard flush(flush_mutex_);
  const arrow::Status st = lake::RetryCommit([this] { return FlushOnce(); },
                                            [this] {
                                              std::lock_guard lock(stats_mutex_);
                                              ++stats_.commit_conflicts;
                                            });
  Reclaim();
  return st;
}

arrow::Status Writer::FlushOnce() {
  struct Target {
    TableBuffer* table;
    int64_t from, to;
  };
  std::vector<Target> targets;
  {
    std::lock_guard lock(mutex_);
    for (auto& [name, t] : tables_) {
      const int64_t to = t->committed_seq, from = t->flushed_seq;
      if (to > from) targets.push_back({t.get(), from, to});
    }
  }
  if (targets.empty()) return arrow::Status::OK();
  const auto started = std::chrono::steady_clock::now();
  int64_t rows = 0;
  auto insert = [&]() -> arrow::Status {
    for (auto& target : targets) {
      std::string columns;
      for (const auto& c : lake::HepColumns(target.table->schema)) {
        columns += (columns.empty() ? "" : ", ") + QuoteIdent(c.name);
      }
      const std::string seq = QuoteIdent(lake::kSeqColumn);
      const std::string sql = "INSERT INTO " + QualifiedName(lake_catalog_, "main", target.table->name) + " (" +
                              columns + ") SELECT " + columns + " FROM " +
                              QualifiedName(buffer_catalog_, "main", target.table->name) + " WHERE " + seq + " > " +
                              std::to_string(target.from) + " AND " + seq + " <= " + std::to_string(target.to);
      ARROW_ASSIGN_OR_RAISE(int64_t n, duckdb::ExecCount(flush_con_, sql));
      rows += n;
      ARROW_RETURN_NOT_OK(Exec(flush_con_, lake::RecordMarkSql(lake_catalog_, target.table->name, target.to)));
    }
    return arrow::Status::OK();
  };
  arrow::Status st;
  {
    // The whole transaction: DuckLake may take the catalog's write lock before COMMIT.
    std::lock_guard gate(lake::CommitGate(options_.storage.catalog_path));
    st = duckdb::InTransaction(flush_con_, insert);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  auto& m = WriterMetrics::Get();
  if (!st.ok()) {
    m.flushes.With({"failed"}).Add();
    std::lock_guard lock(stats_mutex_);
    ++stats_.flush_failures;
    stats_.last_flush_error = st.message();
    return st;
  }
  const uint64_t epoch = options_.readers ? options_.readers->Advance() : 0;
  std::map<std::string, int64_t> flushed;
  for (auto& target : targets) {
    target.table->flushed_rows += target.to - target.from;
    target.table->flushed_seq = target.to;
    reclaim_.push_back({target.table, target.to, epoch});
  }
  {
    std::lock_guard lock(mutex_);
    for (auto& [name, t] : tables_) flushed[name] = t->flushed_seq;
  }
  journal_->Release(flushed);  // the lake holds these entries now
  m.flushes.With({"ok"}).Add();
  m.flushed.Add(static_cast<double>(rows));
  m.flush_seconds.Observe(seconds);
  std::lock_guard lock(stats_mutex_);
  ++stats_.flushes;
  stats_.flushed_rows += rows;
  stats_.last_flush_seconds = seconds;
  stats_.last_flush_error.clear();
  stats_.last_flush_unix_ms = NowUnixMs();
  return arrow::Status::OK();
}

void Writer::Reclaim() {
  if (reclaim_.empty()) return;
  std::vector<Reclaimable> keep;
  for (const auto& r : reclaim_) {
    if (options_.readers && !options_.readers->AllLeftBefore(r.epoch)) {
      keep.push_back(r);
      continue;
    }
    auto st = Exec(flush_con_, "DELETE FROM " + QualifiedName(buffer_catalog_, "main", r.table->name) + " WHERE " +
                                   QuoteIdent(lake::kSeqColumn) + " <= " + std::to_string(r.seq));
    if (!st.ok()) {
      spdlog::warn("writer: could not clear flushed rows of {} from the buffer (kept, hidden by the mark): {}",
                   r.table->name, st.message());
      keep.push_back(r);
    } else {
      r.table->reclaimed_seq = r.seq;
    }
  }
  reclaim_ = std::move(keep);
}

}  // namespace homer::writer
