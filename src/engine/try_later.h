#pragma once
/// \file
/// "Too many queries, try later": every query slot stayed taken for the whole wait. The status
/// is marked so that every surface answers it as retryable: HTTP 503 with Retry-After, Flight
/// and Flight SQL UNAVAILABLE (which clients, the Airport extension among them, retry).

#include <arrow/status.h>

#include <chrono>
#include <cstddef>

namespace homer::engine {

/// Seconds a client is told to wait before retrying (HTTP Retry-After).
constexpr int kRetryAfterSeconds = 1;

arrow::Status TooManyQueries(size_t slots, std::chrono::milliseconds waited);
bool IsTooManyQueries(const arrow::Status& status);

}  // namespace homer::engine
