#pragma once
/// \file
/// Test hook: `HOMER_TEST_CRASH_AT=<step>` makes the process SIGKILL itself when a move or a
/// compaction reaches that step, the same as `kill -9` at that instant (the crash tests use it
/// to stop at every step). Unset in production: one getenv at the first call.

namespace homer::policy {

/// Steps: move:written (files written, not committed), move:committed (destination committed,
/// source not yet deleted), move:deleted (source deleted), rewrite:written, rewrite:committed.
void CrashPoint(const char* step);

}  // namespace homer::policy
