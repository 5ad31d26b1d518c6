#include "flightsql/auth_middleware.h"

#include <arrow/flight/server.h>
#include <arrow/flight/types.h>
#include <arrow/util/base64.h>

#include <cctype>

#include "common/auth.h"

namespace homer::flightsql {
namespace {

/// Hands the bearer to a client that authenticated with Basic.
class BearerReply : public arrow::flight::ServerMiddleware {
 public:
  explicit BearerReply(std::string token) : token_(std::move(token)) {}
  void SendingHeaders(arrow::flight::AddCallHeaders* outgoing) override {
    outgoing->AddHeader("authorization", "Bearer " + token_);
  }
  void CallCompleted(const arrow::Status&) override {}
  std::string name() const override { return "FlightSqlBearerReply"; }

 private:
  std::string token_;
};

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool BasicMatches(std::string_view header_value, std::string_view token) {
  while (!header_value.empty() && header_value.front() == ' ') header_value.remove_prefix(1);
  if (!StartsWithNoCase(header_value, "basic ")) return false;
  std::string_view encoded = header_value.substr(6);
  while (!encoded.empty() && (encoded.front() == ' ')) encoded.remove_prefix(1);
  while (!encoded.empty() && (encoded.back() == ' ')) encoded.remove_suffix(1);
  // Go's flight client (ADBC, Grafana) sends unpadded base64; restore the padding.
  std::string padded(encoded);
  padded.append((4 - padded.size() % 4) % 4, '=');
  auto decoded_or = arrow::util::base64_decode(padded);
  if (!decoded_or.ok()) return false;
  const std::string& decoded = *decoded_or;
  const auto colon = decoded.find(':');
  if (colon == std::string::npos) return false;
  return auth::ConstantTimeEquals(std::string_view(decoded).substr(colon + 1), token);
}

arrow::Status TokenAuthFactory::StartCall(const arrow::flight::CallInfo&,
                                          const arrow::flight::ServerCallContext& context,
                                          std::shared_ptr<arrow::flight::ServerMiddleware>* middleware) {
  // gRPC metadata keys arrive in lower case.
  auto [it, end] = context.incoming_headers().equal_range("authorization");
  for (; it != end; ++it) {
    if (auth::BearerMatches(it->second, token_)) return arrow::Status::OK();
    if (BasicMatches(it->second, token_)) {
      *middleware = std::make_shared<BearerReply>(token_);
      return arrow::Status::OK();
    }
  }
  return arrow::flight::MakeFlightError(
      arrow::flight::FlightStatusCode::Unauthenticated,
      "Flight SQL needs the node's token: 'authorization: Bearer <token>' or Basic auth with the token as password");
}

}  // namespace homer::flightsql
