#include "rpc/status_map.h"

#include <arrow/flight/types.h>

#include "engine/try_later.h"

namespace homer::rpc {

using arrow::flight::FlightStatusCode;
using arrow::flight::MakeFlightError;

arrow::Status ToFlightStatus(const arrow::Status& status) {
  if (status.ok() || arrow::flight::FlightStatusDetail::UnwrapStatus(status)) return status;
  // Every query slot busy: retryable, unlike the other CapacityErrors (a row over the message limit).
  if (engine::IsTooManyQueries(status)) return MakeFlightError(FlightStatusCode::Unavailable, status.message());
  switch (status.code()) {
    case arrow::StatusCode::Invalid:
    case arrow::StatusCode::TypeError:
    case arrow::StatusCode::IndexError:
    case arrow::StatusCode::CapacityError:
      return arrow::Status::Invalid(status.message());
    case arrow::StatusCode::KeyError:
      return arrow::Status::KeyError(status.message());
    case arrow::StatusCode::NotImplemented:
      return arrow::Status::NotImplemented(status.message());
    case arrow::StatusCode::Cancelled:
      return MakeFlightError(FlightStatusCode::Cancelled, status.message());
    case arrow::StatusCode::IOError:
    case arrow::StatusCode::OutOfMemory:
      return MakeFlightError(FlightStatusCode::Unavailable, status.message());
    default:
      return MakeFlightError(FlightStatusCode::Internal, status.message());
  }
}

}  // namespace homer::rpc
