#pragma once
/// \file
/// DuckLake commits that lose a race: another transaction committed to the same catalog first
/// (a conflict), or the catalog database was locked. The writer and the storage policy try
/// again, a few times, with growing pauses.

#include <arrow/status.h>

#include <chrono>
#include <functional>
#include <thread>

namespace homer::lake {

/// Is `st` a commit conflict or a locked/busy catalog (worth another attempt)?
bool IsRetryableCommitError(const arrow::Status& st);

/// Run `attempt` up to `tries` times while it fails retryably, sleeping 50 ms, 100 ms, ...
/// between tries; `on_retry` is called before each sleep. The last status is returned.
arrow::Status RetryCommit(const std::function<arrow::Status()>& attempt, const std::function<void()>& on_retry = {},
                          int tries = 5);

}  // namespace homer::lake
