#pragma once
/// \file
/// One writing DuckLake transaction at a time per catalog database in this process (held from
/// BEGIN to COMMIT: DuckLake may take the write lock before COMMIT). A sqlite catalog takes
/// one committer at a time and DuckDB's sqlite extension does not wait for its lock: a second
/// commit fails with "database is locked", and the writer's flush, retried, encoded its rows
/// again and again while the storage policy committed rewrites (measured: 3.1M packets refused
/// as writer_failed in 5 minutes at 80,000/s). Committers of this process queue here instead;
/// other processes still meet the lock, and their commits are retried (lake/commit_retry.h).

#include <mutex>
#include <string>

namespace homer::lake {

/// The mutex for `catalog_path` (the same object for the same path, for the process's lifetime).
std::mutex& CommitGate(const std::string& catalog_path);

}  // namespace homer::lake
