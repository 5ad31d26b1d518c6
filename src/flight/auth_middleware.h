#pragma once
/// \file
/// Bearer-token check for every Flight RPC, before any handler runs.

#include <arrow/flight/server_middleware.h>

#include <string>

namespace homer::flight {

/// Rejects a call UNAUTHENTICATED unless one of its `authorization` headers carries the
/// token (auth::BearerMatches: scheme case-insensitive, constant-time). An empty token lets
/// every call through. Handshake is not needed: clients send the header on every call.
class BearerAuthFactory : public arrow::flight::ServerMiddlewareFactory {
 public:
  explicit BearerAuthFactory(std::string token) : token_(std::move(token)) {}

  arrow::Status StartCall(const arrow::flight::CallInfo& info, const arrow::flight::ServerCallContext& context,
                          std::shared_ptr<arrow::flight::ServerMiddleware>* middleware) override;

 private:
  std::string token_;
};

}  // namespace homer::flight
