#include "policy/storage_policy.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <map>

#include "config/catalog.h"
#include "config/config_loader.h"
#include "duckdb/sql_text.h"
#include "lake/commit_gate.h"
#include "lake/maintenance.h"
#include "lake/maintenance_lock.h"
#include "lake/move_marks.h"
#include "lake/partitions.h"
#include "lake/sqlite_catalog.h"
#include "lake/volume.h"
#include "policy/compaction.h"
#include "policy/partition_move.h"
#include "policy/policy_metrics.h"

namespace homer::policy {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

/// The UTC date `days_ago` days before today, YYYY-MM-DD (partitions are UTC days).
std::string UtcDate(int days_ago) {
  using namespace std::chrono;
  const year_month_day d{floor<days>(system_clock::now()) - days(days_ago)};
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()));
  return out;
}

int64_t NowUnixMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

StoragePolicy::StoragePolicy(const duckdb::Database& db, PolicyOptions options)
    : db_(db), options_(std::move(options)), layout_(options_.layout) {
  layout_.max_file_size_bytes = options_.storage.compaction.max_file_size_bytes;
}

StoragePolicy::~StoragePolicy() { Stop(); }

arrow::Result<std::unique_ptr<StoragePolicy>> StoragePolicy::Open(const duckdb::Database& db, PolicyOptions options) {
  std::unique_ptr<StoragePolicy> policy(new StoragePolicy(db, std::move(options)));
  ARROW_RETURN_NOT_OK(policy->Attach());
  PolicyMetrics::Get();  // the counters exist (at 0) from the start
  return policy;
}

arrow::Status StoragePolicy::Attach() {
  const auto& s = options_.storage;
  if (s.storage_policy.enable) {
    rules_ = s.storage_policy.volumes;
  } else {
    rules_.push_back({config::StorageVolume(s, "hot"), 0, 0, 0});
  }
  ARROW_ASSIGN_OR_RAISE(auto con, duckdb::Connect(db_));
  for (size_t i = 0; i < rules_.size(); ++i) {
    const config::VolumeConfig& v = rules_[i].volume;
    VolumeRef ref{v.name, i == 0 ? options_.hot_catalog : options_.lake_name + "__policy_" + v.name, v.catalog_path,
                  lake::DataPrefix(v)};
    if (i > 0) {
      std::error_code ec;
      fs::create_directories(fs::path(v.catalog_path).parent_path(), ec);
      if (v.type == config::VolumeType::kLocal) fs::create_directories(v.path, ec);
      ARROW_RETURN_NOT_OK(lake::EnsureWalJournal(v.catalog_path));
      ARROW_RETURN_NOT_OK(lake::AttachVolume(con, v, ref.catalog, /*read_only=*/false));
      ARROW_ASSIGN_OR_RAISE(auto had, duckdb::QueryValue(con, "SELECT count(*) FROM duckdb_tables() WHERE "
                                                              "database_name = $1 AND schema_name = $2",
                                                         {ref.catalog, lake::kPolicySchema}));
      if (had == "0") {
        std::lock_guard gate(lake::CommitGate(ref.catalog_path));
        ARROW_RETURN_NOT_OK(duckdb::Exec(con, lake::CreateMoveMarksSql(ref.catalog)));
        ready_at_[ref.catalog] = Clock::now() + options_.new_table_delay;
      }
    }
    spdlog::info("storage policy: volume '{}' (priority {}, catalog {}, data {}) as {}", v.name, rules_[i].priority,
                 config::CatalogLabel(v), ref.data_prefix, ref.catalog);
    volumes_.push_back(std::move(ref));
  }
  for (size_t i = 0; i + 1 < volumes_.size(); ++i) ARROW_RETURN_NOT_OK(EnsureDestinationTables(con, i));
  if (!ready_at_.empty() && options_.on_catalog_changed) options_.on_catalog_changed();
  return arrow::Status::OK();
}

arrow::Status StoragePolicy::EnsureDestinationTables(const duckdb::Connection& con, size_t from) {
  const VolumeRef &src = volumes_[from], &dst = volumes_[from + 1];
  ARROW_ASSIGN_OR_RAISE(auto tables, lake::ListTables(con, src.catalog));
  bool created_any = false;
  for (const auto& table : tables) {
    ARROW_ASSIGN_OR_RAISE(bool created, EnsureTable(con, src, dst, table));
    if (created) ready_at_[dst.catalog + "." + table] = Clock::now() + options_.new_table_delay;
    created_any = created_any || created;
  }
  if (created_any && options_.on_catalog_changed) options_.on_catalog_changed();
  return arrow::Status::OK();
}

bool StoragePolicy::Ready(const std::string& key) const {
  auto it = ready_at_.find(key);
  return it == ready_at_.end() || Clock::now() >= it->second;
}

void StoragePolicy::Start() {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "storage-policy");
    Loop();
  });
}

void StoragePolicy::Stop() {
  {
    std::lock_guard lock(wake_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void StoragePolicy::Loop() {
  const auto& s = options_.storage;
  const bool moving = volumes_.size() > 1 || rules_.back().max_data_age_days > 0 || s.compaction.retention_days > 0;
  const auto move_every = std::chrono::seconds(s.storage_policy.ttl_move_interval_sec);
  const auto compact_every = std::chrono::seconds(s.compaction.check_interval_sec);
  auto next_move = Clock::now() + (s.storage_policy.move_on_startup ? std::chrono::seconds(0) : move_every);
  auto next_compaction = Clock::now() + compact_every;
  std::unique_lock lock(wake_mutex_);
  while (!stopping_) {
    auto next = s.compaction.enable ? std::min(next_move, next_compaction) : next_move;
    if (!moving) next = next_compaction;
    if (wake_.wait_until(lock, next, [this] { return stopping_.load(); })) break;
    lock.unlock();
    if (moving && Clock::now() >= next_move) {
      if (auto st = RunMoves(); !st.ok()) spdlog::warn("storage policy: move cycle: {}", st.message());
      next_move = Clock::now() + move_every;
    }
    if (s.compaction.enable && Clock::now() >= next_compaction) {
      if (auto st = RunCompaction(); !st.ok()) spdlog::warn("storage policy: compaction: {}", st.message());
      next_compaction = Clock::now() + compact_every;
    }
    lock.lock();
  }
}

void StoragePolicy::Failed(const arrow::Status& st, int64_t PolicyStats::*counter) {
  spdlog::warn("storage policy: {}", st.message());
  std::lock_guard lock(stats_mutex_);
  if (counter) ++(stats_.*counter);
  stats_.last_error = st.message();
  stats_.last_error_unix_ms = NowUnixMs();
}

void StoragePolicy::ClearErrorIfNoneSince(int64_t cycle_start_unix_ms) {
  std::lock_guard lock(stats_mutex_);
  if (stats_.last_error_unix_ms < cycle_start_unix_ms) stats_.last_error.clear();
}

lake::MaintenanceLock StoragePolicy::LockVolume(size_t index, const char* job) {
  std::vector<std::string> paths = {volumes_[index].catalog_path};
  if (index + 1 < volumes_.size()) paths.push_back(volumes_[index + 1].catalog_path);  // moves reach it
  std::string busy;
  auto lock = lake::MaintenanceLock::TryAcquire(paths, &busy);
  if (!lock.held()) {
    Failed(arrow::Status::Cancelled("volume ", volumes_[index].label, ": ", job, " skipped, maintenance is running on ",
                                    busy),
           &PolicyStats::busy_skips);
  }
  return lock;
}

arrow::Result<std::vector<StoragePolicy::Move>> StoragePolicy::PlanMoves(const duckdb::Connection& con, size_t from,
                                                                         const std::string& today) {
  const auto& rule = rules_[from];
  const VolumeRef& src = volumes_[from];
  ARROW_ASSIGN_OR_RAISE(auto tables, lake::ListTables(con, src.catalog));
  std::vector<Move> moves;
  std::map<std::string, std::vector<std::pair<std::string, int64_t>>> kept;  // date -> (table, bytes)
  int64_t left = 0;  // bytes the volume keeps after the age rule's moves
  const std::string cutoff = rule.max_data_age_days > 0 ? UtcDate(rule.max_data_age_days) : "";
  const VolumeRef& dst = volumes_[from + 1];
  for (const auto& table : tables) {
    if (!Ready(dst.catalog + "." + table)) continue;
    ARROW_ASSIGN_OR_RAISE(auto partitions, lake::ListPartitions(con, src.catalog, table));
    for (const auto& p : partitions) {
      if (!cutoff.empty() && p.date <= cutoff) {
        moves.push_back({table, p.date});
      } else {
        kept[p.date].emplace_back(table, p.bytes);
        left += p.bytes;
      }
    }
  }
  if (rule.max_size_gb > 0) {
    // Then the oldest days (all tables) until the volume is under move_factor x max_size_gb;
    // today's partitions stay (the writer fills them).
    const double limit = options_.storage.storage_policy.move_factor * rule.max_size_gb * (1LL << 30);
    for (const auto& [date, parts] : kept) {
      if (left <= limit || date >= today) break;
      for (const auto& [table, bytes] : parts) {
        moves.push_back({table, date});
        left -= bytes;
      }
    }
  }
  return moves;
}

void StoragePolicy::RunMovesOf(size_t from, const std::vector<Move>& moves) {
  std::mutex next_mutex;
  size_t next = 0;
  auto work = [&] {
    auto con = duckdb::Connect(db_);
    if (!con.ok()) return Failed(con.status(), &PolicyStats::move_failures);
    while (true) {
      Move m;
      {
        std::lock_guard lock(next_mutex);
        if (next == moves.size() || stopping_) return;
        m = moves[next++];
      }
      const auto started = Clock::now();
      auto moved = MovePartition(*con, volumes_[from], volumes_[from + 1], m.table, m.date, layout_);
      if (!moved.ok()) {
        PolicyMetrics::Get().moves.With({"failed"}).Add();
        Failed(moved.status(), &PolicyStats::move_failures);
        continue;
      }
      if (moved->rows == 0) continue;
      const double secs = std::chrono::duration<double>(Clock::now() - started).count();
      spdlog::info("storage policy: moved {} {} from {} to {}: {} rows, {} files, {} bytes in {:.2f} s", m.table,
                   m.date, volumes_[from].label, volumes_[from + 1].label, moved->rows, moved->files, moved->bytes,
                   secs);
      auto& metrics = PolicyMetrics::Get();
      metrics.moves.With({"ok"}).Add();
      metrics.moved_rows.Add(static_cast<double>(moved->rows));
      metrics.moved_bytes.Add(static_cast<double>(moved->bytes));
      std::lock_guard lock(stats_mutex_);
      ++stats_.moves;
      stats_.moved_rows += moved->rows;
      stats_.moved_bytes += moved->bytes;
    }
  };
  const int workers = std::max(1, std::min<int>(options_.storage.storage_policy.concurrent_moves,
                                                static_cast<int>(moves.size())));
  std::vector<std::thread> threads;
  for (int i = 1; i < workers; ++i) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
}

arrow::Status StoragePolicy::RunMoves() {
  std::lock_guard job(job_mutex_);
  const auto started = Clock::now();
  const int64_t started_unix_ms = NowUnixMs();
  {
    std::lock_guard lock(stats_mutex_);
    ++stats_.move_cycles;
  }
  ARROW_ASSIGN_OR_RAISE(auto con, duckdb::Connect(db_));
  const std::string today = UtcDate(0);
  const int keep_marks = options_.storage.compaction.snapshot_expire_interval_sec;
  for (size_t i = 0; i < volumes_.size() && !stopping_; ++i) {
    const bool last = i + 1 == volumes_.size();
    const auto lock = LockVolume(i, "move cycle");
    if (!lock.held()) continue;
    if (!last) {
      if (auto st = EnsureDestinationTables(con, i); !st.ok()) Failed(st, &PolicyStats::move_failures);
    }
    if (!last && Ready(volumes_[i + 1].catalog)) {
      auto finished = FinishMoves(con, volumes_[i], volumes_[i + 1], keep_marks);
      if (!finished.ok()) {
        Failed(finished.status(), &PolicyStats::move_failures);
        continue;  // no new move before the old ones are complete
      }
      if (*finished > 0) {
        std::lock_guard stats(stats_mutex_);
        stats_.finished_moves_rows += *finished;
      }
      auto planned = PlanMoves(con, i, today);
      if (!planned.ok()) Failed(planned.status(), &PolicyStats::move_failures);
      else if (!planned->empty()) RunMovesOf(i, *planned);
    }
    // Retention: the last volume's age rule, and compaction.retention_days on every volume.
    int days = last ? rules_[i].max_data_age_days : 0;
    const int everywhere = options_.storage.compaction.retention_days;
    if (everywhere > 0) days = days > 0 ? std::min(days, everywhere) : everywhere;
    if (days <= 0) continue;
    auto tables = lake::ListTables(con, volumes_[i].catalog);
    if (!tables.ok()) {
      Failed(tables.status(), nullptr);
      continue;
    }
    for (const auto& table : *tables) {
      auto expired = ExpirePartitions(con, volumes_[i], table, UtcDate(days));
      if (!expired.ok()) {
        Failed(expired.status(), nullptr);
        continue;
      }
      if (*expired == 0) continue;
      spdlog::info("storage policy: retention deleted {} rows of {} up to {} in {}", *expired, table, UtcDate(days),
                   volumes_[i].label);
      PolicyMetrics::Get().expired_rows.Add(static_cast<double>(*expired));
      std::lock_guard stats(stats_mutex_);
      stats_.expired_rows += *expired;
    }
  }
  ClearErrorIfNoneSince(started_unix_ms);
  std::lock_guard lock(stats_mutex_);
  stats_.last_cycle_seconds = std::chrono::duration<double>(Clock::now() - started).count();
  stats_.last_cycle_unix_ms = NowUnixMs();
  return arrow::Status::OK();
}

arrow::Status StoragePolicy::CompactVolume(const duckdb::Connection& con, size_t index, const std::string& today) {
  const VolumeRef& v = volumes_[index];
  const auto& c = options_.storage.compaction;
  if (index + 1 < volumes_.size()) {
    // Rewriting renumbers rowids: a move of this volume must be complete first.
    ARROW_RETURN_NOT_OK(FinishMoves(con, v, volumes_[index + 1], c.snapshot_expire_interval_sec).status());
  }
  ARROW_ASSIGN_OR_RAISE(auto tables, lake::ListTables(con, v.catalog));
  for (const auto& table : tables) {
    if (options_.storage.data_inlining_row_limit > 0 && index == 0) {
      if (auto st = FlushInlined(con, v, table); !st.ok()) Failed(st, &PolicyStats::maintenance_failures);
    }
    ARROW_ASSIGN_OR_RAISE(auto partitions, lake::ListPartitions(con, v.catalog, table));
    for (const auto& p : partitions) {
      if (stopping_) return arrow::Status::OK();
      // Closed days only, quiet for min_age_sec, not yet in the layout (one set of our files).
      if (p.date >= today || p.newest_age_sec < c.min_age_sec) continue;
      if (p.all_compacted && p.files <= layout_.FilesFor(p.rows)) continue;
      auto rewritten = RewritePartition(con, v, table, p.date, layout_);
      if (!rewritten.ok()) {
        PolicyMetrics::Get().rewrites.With({"failed"}).Add();
        Failed(rewritten.status(), &PolicyStats::rewrite_failures);
        continue;
      }
      spdlog::info("storage policy: rewrote {} {} in {}: {} rows from {} files", table, p.date, v.label, *rewritten,
                   p.files);
      PolicyMetrics::Get().rewrites.With({"ok"}).Add();
      std::lock_guard lock(stats_mutex_);
      ++stats_.rewrites;
      stats_.rewritten_rows += *rewritten;
    }
  }
  const std::string cutoff = "now() - to_seconds(" + std::to_string(c.snapshot_expire_interval_sec) + ")";
  // No ducklake_merge_adjacent_files here: it rewrites history (a merged file takes its first
  // file's begin snapshot), and a reader answered once without the merged day while it ran in
  // an end-to-end test. Closed days are rewritten above in plain commits instead.
  for (const auto& step : lake::MaintainCatalog(con, v.label, v.catalog, cutoff, /*merge_adjacent_files=*/false,
                                                &lake::CommitGate(v.catalog_path))) {
    PolicyMetrics::Get().maintenance.With({step.step, step.ok ? "ok" : "failed"}).Add();
    if (!step.ok) {
      Failed(arrow::Status::IOError("volume ", v.label, ": ", step.step, ": ", step.detail),
             &PolicyStats::maintenance_failures);
    }
  }
  return arrow::Status::OK();
}

arrow::Status StoragePolicy::RunCompaction() {
  std::lock_guard job(job_mutex_);
  {
    std::lock_guard lock(stats_mutex_);
    ++stats_.compaction_cycles;
  }
  ARROW_ASSIGN_OR_RAISE(auto con, duckdb::Connect(db_));
  const std::string today = UtcDate(0);
  for (size_t i = 0; i < volumes_.size() && !stopping_; ++i) {
    const auto lock = LockVolume(i, "compaction");
    if (!lock.held()) continue;
    if (auto st = CompactVolume(con, i, today); !st.ok()) Failed(st, &PolicyStats::maintenance_failures);
  }
  return arrow::Status::OK();
}

PolicyStats StoragePolicy::stats() const {
  std::lock_guard lock(stats_mutex_);
  return stats_;
}

}  // namespace homer::policy
