#include "flight/auth_middleware.h"

#include <arrow/flight/server.h>
#include <arrow/flight/types.h>

#include "common/auth.h"

namespace homer::flight {

arrow::Status BearerAuthFactory::StartCall(const arrow::flight::CallInfo&,
                                           const arrow::flight::ServerCallContext& context,
                                           std::shared_ptr<arrow::flight::ServerMiddleware>*) {
  if (token_.empty()) return arrow::Status::OK();
  // gRPC metadata keys arrive in lower case.
  auto [it, end] = context.incoming_headers().equal_range("authorization");
  for (; it != end; ++it) {
    if (auth::BearerMatches(it->second, token_)) return arrow::Status::OK();
  }
  return arrow::flight::MakeFlightError(arrow::flight::FlightStatusCode::Unauthenticated,
                                        "missing or wrong bearer token: send 'authorization: Bearer <token>'");
}

}  // namespace homer::flight
