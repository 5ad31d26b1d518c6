#include "lake/commit_retry.h"

namespace homer::lake {

bool IsRetryableCommitError(const arrow::Status& st) {
  const std::string& m = st.message();
  return m.find("onflict") != std::string::npos || m.find("locked") != std::string::npos ||
         m.find("busy") != std::string::npos || st.IsIOError();
}

arrow::Status RetryCommit(const std::function<arrow::Status()>& attempt, const std::function<void()>& on_retry,
                          int tries) {
  arrow::Status st;
  for (int i = 0; i < tries; ++i) {
    st = attempt();
    if (st.ok() || !IsRetryableCommitError(st) || i + 1 == tries) break;
    if (on_retry) on_retry();
    std::this_thread::sleep_for(std::chrono::milliseconds(50 << i));
  }
  return st;
}

}  // namespace homer::lake
