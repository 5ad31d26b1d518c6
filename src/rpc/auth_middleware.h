#pragma once
/// \file
/// The token check of every Flight and Flight SQL call, before any handler runs.

#include <arrow/flight/server_middleware.h>

#include <string>

namespace homer::rpc {

/// Rejects a call UNAUTHENTICATED unless one of its `authorization` headers carries the token:
/// `Bearer <token>` (auth::BearerMatches: scheme case-insensitive, constant time) or, with
/// `accept_basic` (Flight SQL), HTTP Basic with the token as password. A call authenticated by
/// Basic (the Handshake of ADBC, Grafana and JDBC drivers) is answered with
/// `authorization: Bearer <token>`, which those clients then send on every later call. An empty
/// token lets every call through (plain Flight on loopback); Flight SQL always has one.
class TokenAuthFactory : public arrow::flight::ServerMiddlewareFactory {
 public:
  TokenAuthFactory(std::string token, bool accept_basic) : token_(std::move(token)), accept_basic_(accept_basic) {}

  arrow::Status StartCall(const arrow::flight::CallInfo& info, const arrow::flight::ServerCallContext& context,
                          std::shared_ptr<arrow::flight::ServerMiddleware>* middleware) override;

 private:
  std::string token_;
  bool accept_basic_;
};

}  // namespace homer::rpc
