#pragma once
/// \file
/// Flight SQL authentication: every call carries the node's token, either as
/// `authorization: Bearer <token>` or as HTTP Basic with the token as password (any user name).
/// A call authenticated by Basic (the Handshake of ADBC, Grafana and JDBC drivers) is answered
/// with `authorization: Bearer <token>` in its response headers, which those clients then send
/// on every later call. Unlike plain Flight, a token is always required.

#include <arrow/flight/server_middleware.h>

#include <string>
#include <string_view>

namespace homer::flightsql {

class TokenAuthFactory : public arrow::flight::ServerMiddlewareFactory {
 public:
  explicit TokenAuthFactory(std::string token) : token_(std::move(token)) {}

  arrow::Status StartCall(const arrow::flight::CallInfo& info, const arrow::flight::ServerCallContext& context,
                          std::shared_ptr<arrow::flight::ServerMiddleware>* middleware) override;

 private:
  std::string token_;
};

/// Does an `authorization: Basic ...` value carry `token` as its password? Scheme matched
/// case-insensitively, password compared in constant time.
bool BasicMatches(std::string_view header_value, std::string_view token);

}  // namespace homer::flightsql
