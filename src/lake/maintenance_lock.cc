#include "lake/maintenance_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <utility>

namespace homer::lake {
namespace {

/// The catalogs this process's jobs hold (one entry per holder).
std::mutex held_mutex;
std::vector<std::string> held_here;

}  // namespace

MaintenanceLock::MaintenanceLock(MaintenanceLock&& other) noexcept
    : fds_(std::exchange(other.fds_, {})), paths_(std::exchange(other.paths_, {})) {}

MaintenanceLock& MaintenanceLock::operator=(MaintenanceLock&& other) noexcept {
  if (this != &other) {
    Release();
    fds_ = std::exchange(other.fds_, {});
    paths_ = std::exchange(other.paths_, {});
  }
  return *this;
}

MaintenanceLock::~MaintenanceLock() { Release(); }

void MaintenanceLock::Release() {
  if (!paths_.empty()) {
    std::lock_guard lock(held_mutex);
    for (const auto& path : paths_) held_here.erase(std::find(held_here.begin(), held_here.end(), path));
    paths_.clear();
  }
  for (int fd : fds_) close(fd);  // closing the descriptor drops its flock
  fds_.clear();
}

bool MaintenanceLock::UnlessHeldHere(const std::string& catalog_path, const std::function<void()>& read) {
  std::lock_guard lock(held_mutex);
  if (std::find(held_here.begin(), held_here.end(), catalog_path) != held_here.end()) return false;
  read();
  return true;
}

MaintenanceLock MaintenanceLock::TryAcquire(const std::vector<std::string>& catalog_paths, std::string* busy) {
  MaintenanceLock lock;
  for (const auto& path : catalog_paths) {
    const std::string file = path + ".maintenance.lock";
    const int fd = open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    // Each open() is its own lock owner, so two jobs of one process exclude each other too.
    if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) != 0) {
      if (fd >= 0) close(fd);
      if (busy) *busy = path;
      lock.Release();
      return lock;
    }
    lock.fds_.push_back(fd);
  }
  std::lock_guard registry(held_mutex);  // waits for a reader running under UnlessHeldHere
  held_here.insert(held_here.end(), catalog_paths.begin(), catalog_paths.end());
  lock.paths_ = catalog_paths;
  return lock;
}

}  // namespace homer::lake
