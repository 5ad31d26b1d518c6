#include "lake/maintenance_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <utility>

namespace homer::lake {

MaintenanceLock::MaintenanceLock(MaintenanceLock&& other) noexcept : fds_(std::exchange(other.fds_, {})) {}

MaintenanceLock& MaintenanceLock::operator=(MaintenanceLock&& other) noexcept {
  if (this != &other) {
    Release();
    fds_ = std::exchange(other.fds_, {});
  }
  return *this;
}

MaintenanceLock::~MaintenanceLock() { Release(); }

void MaintenanceLock::Release() {
  for (int fd : fds_) close(fd);  // closing the descriptor drops its flock
  fds_.clear();
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
  return lock;
}

}  // namespace homer::lake
