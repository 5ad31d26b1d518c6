#pragma once
/// \file
/// The one place engine statuses become HTTP statuses and JSON error bodies.

#include <arrow/status.h>

#include <string>

namespace homer::http {

/// Invalid -> 400, KeyError (unknown table) -> 400, Cancelled (timeout) -> 504,
/// IOError (storage), OutOfMemory and CapacityError (all connections busy) -> 503,
/// AlreadyExists -> 409, anything else -> 500.
int HttpStatusFor(const arrow::Status& status);

/// {"error": "..."} or, for the original's routes, {"success": false, "error": "..."}.
std::string ErrorBody(const std::string& message, bool legacy_shape);

}  // namespace homer::http
