#include "policy/crash_point.h"

#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdlib>
#include <string>

namespace homer::policy {

void CrashPoint(const char* step) {
  static const std::string target = [] {
    const char* v = std::getenv("HOMER_TEST_CRASH_AT");
    return std::string(v ? v : "");
  }();
  if (target.empty() || target != step) return;
  spdlog::warn("HOMER_TEST_CRASH_AT={}: killing the process", step);
  spdlog::default_logger()->flush();
  std::raise(SIGKILL);
}

}  // namespace homer::policy
