#pragma once
/// \file
/// What the engine counts about queries, by the surface that ran them (ExecuteOptions::surface):
/// outcomes, durations, rows and Arrow bytes of results. Rendered by GET /metrics.

#include <arrow/status.h>

#include <cstdint>
#include <string>

namespace homer::engine {

/// How a query ended: ok, error, timeout, cancelled (client cancel or disconnect), unfinished
/// (its reader stopped early), or, before it started, busy (no slot) and refused (sandbox).
void CountQuery(const std::string& surface, const char* outcome, double seconds, int64_t rows, int64_t bytes);
/// A query that never started: busy, refused or error, from the status.
void CountRefusedQuery(const std::string& surface, const arrow::Status& status);
/// A query that started to answer from fewer volumes than the lake has (engine/partial_answer.h).
void CountPartialAnswer(const std::string& surface);

}  // namespace homer::engine
