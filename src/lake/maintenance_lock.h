#pragma once
/// \file
/// One maintenance job at a time per volume: the HTTP vacuum and the storage policy (moves,
/// retention, compaction), in this process or another one on the same machine. The lock is an
/// advisory flock on `<catalog_path>.maintenance.lock`, released when the holder ends, crash
/// included.

#include <functional>
#include <string>
#include <vector>

namespace homer::lake {

class MaintenanceLock {
 public:
  MaintenanceLock() = default;
  MaintenanceLock(MaintenanceLock&& other) noexcept;
  MaintenanceLock& operator=(MaintenanceLock&& other) noexcept;
  MaintenanceLock(const MaintenanceLock&) = delete;
  MaintenanceLock& operator=(const MaintenanceLock&) = delete;
  ~MaintenanceLock();

  /// Lock every catalog without waiting; none is held when one is busy (then `busy` names it).
  static MaintenanceLock TryAcquire(const std::vector<std::string>& catalog_paths, std::string* busy);

  bool held() const { return !fds_.empty(); }

  /// Run `read` unless a job of this process holds `catalog_path`'s lock, and keep jobs of this
  /// process from taking it meanwhile; false when it did not run. For a reader through another
  /// SQLite library (lake/sqlite_catalog.h): two libraries in one process do not see each
  /// other's file locks, so it must not read while this process's job writes the catalog.
  static bool UnlessHeldHere(const std::string& catalog_path, const std::function<void()>& read);

 private:
  void Release();
  std::vector<int> fds_;
  std::vector<std::string> paths_;
};

}  // namespace homer::lake
