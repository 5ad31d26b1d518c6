#include "http/http_status.h"

#include <nlohmann/json.hpp>

namespace homer::http {

int HttpStatusFor(const arrow::Status& status) {
  switch (status.code()) {
    case arrow::StatusCode::OK:
      return 200;
    case arrow::StatusCode::Invalid:
    case arrow::StatusCode::KeyError:
    case arrow::StatusCode::TypeError:
    case arrow::StatusCode::NotImplemented:
      return 400;
    case arrow::StatusCode::Cancelled:
      return 504;
    case arrow::StatusCode::IOError:
    case arrow::StatusCode::OutOfMemory:
    case arrow::StatusCode::CapacityError:  // every query connection busy: retry later
      return 503;
    case arrow::StatusCode::AlreadyExists:
      return 409;
    default:
      return 500;
  }
}

std::string ErrorBody(const std::string& message, bool legacy_shape) {
  nlohmann::json body;
  if (legacy_shape) body["success"] = false;
  body["error"] = message;
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace homer::http
