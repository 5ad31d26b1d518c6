#include "ingest/capture_thread.h"

#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace homer::ingest {

void BecomeCaptureThread(const char* name) {
  pthread_setname_np(pthread_self(), name);
  if (setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), -10) != 0) {
    static std::atomic<bool> logged{false};
    if (!logged.exchange(true)) {
      spdlog::info("ingest: capture threads keep the default priority ({}); with CAP_SYS_NICE they would be "
                   "favoured over flushes and queries", std::strerror(errno));
    }
  }
}

}  // namespace homer::ingest
