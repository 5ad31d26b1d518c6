#include "engine/catalog_mirrors.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "metrics/registry.h"

namespace homer::engine {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPrefix = "catalog-mirror-";

metrics::Family<metrics::Counter>& Rounds() {
  static auto& family = metrics::Registry::Default().AddCounter(
      "homer_catalog_mirror_total",
      "Copies of a volume's SQLite catalog the node reads (lake/catalog_mirror.h), by step and outcome.",
      {"volume", "step", "outcome"});
  return family;
}

metrics::Family<metrics::Histogram>& PublishSeconds() {
  static auto& family = metrics::Registry::Default().AddHistogram(
      "homer_catalog_mirror_publish_seconds", "Time to copy a changed catalog and publish the copy.",
      {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}, {"volume"});
  return family;
}

/// Folders of node processes that no longer exist (killed before they could remove theirs).
void RemoveOrphans(const fs::path& parent) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(parent, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(kPrefix, 0) != 0) continue;
    const pid_t pid = static_cast<pid_t>(std::atoll(name.c_str() + std::char_traits<char>::length(kPrefix)));
    if (pid > 0 && pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH) fs::remove_all(entry.path(), ec);
  }
}

}  // namespace

arrow::Result<std::unique_ptr<CatalogMirrors>> CatalogMirrors::Make(const duckdb::Database& db,
                                                                    const std::string& parent,
                                                                    std::chrono::milliseconds interval) {
  std::unique_ptr<CatalogMirrors> m(new CatalogMirrors());
  std::error_code ec;
  fs::create_directories(parent, ec);
  RemoveOrphans(parent);
  m->work_dir_ = (fs::path(parent) / (kPrefix + std::to_string(::getpid()))).string();
  fs::remove_all(m->work_dir_, ec);
  if (!fs::create_directories(m->work_dir_, ec)) {
    return arrow::Status::IOError("catalog mirrors: cannot create ", m->work_dir_, ": ", ec.message());
  }
  ARROW_ASSIGN_OR_RAISE(m->con_, duckdb::Connect(db));
  m->interval_ = interval;
  return m;
}

CatalogMirrors::~CatalogMirrors() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::error_code ec;
  fs::remove_all(work_dir_, ec);
}

arrow::Status CatalogMirrors::Add(const duckdb::Connection& con, const config::VolumeConfig& volume,
                                  const std::string& catalog, size_t rank) {
  // Under the round's lock: a volume attached late must not publish out of order.
  std::lock_guard lock(mutex_);
  ARROW_ASSIGN_OR_RAISE(auto mirror, lake::CatalogMirror::Attach(con, volume, catalog, work_dir_));
  auto at = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.rank > rank; });
  entries_.insert(at, Entry{rank, volume, std::move(mirror), ""});
  return arrow::Status::OK();
}

void CatalogMirrors::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void CatalogMirrors::Loop() {
  std::unique_lock lock(stop_mutex_);
  while (!stop_cv_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    Sync();
    lock.lock();
  }
}

void CatalogMirrors::Sync() {
  std::lock_guard lock(mutex_);
  auto report = [](Entry& e, const char* step, const arrow::Status& st) {
    Rounds().With({e.volume.name, step, st.ok() ? "ok" : "failed"}).Add();
    if (st.ok() || st.message() == e.last_error) return;
    e.last_error = st.message();
    spdlog::error("volume '{}': {}", e.volume.name, e.last_error);
  };
  const auto started = std::chrono::steady_clock::now();
  std::vector<Entry*> captured;
  for (auto& e : entries_) {  // hottest first
    auto changed = e.mirror->Capture();
    if (!changed.ok()) report(e, "capture", changed.status());  // the last copy stays: the file is unreadable
    if (e.mirror->pending()) captured.push_back(&e);  // a new capture, or one whose publish failed
  }
  for (auto it = captured.rbegin(); it != captured.rend(); ++it) {  // coldest first
    Entry& e = **it;
    const auto st = e.mirror->Publish(con_);
    report(e, "publish", st);
    // Reported; the copy stays as it was and the next round tries again. Hotter volumes wait too:
    // none may be newer than a colder one.
    if (!st.ok()) break;
    e.last_error.clear();
    PublishSeconds().With({e.volume.name}).Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
}

}  // namespace homer::engine
