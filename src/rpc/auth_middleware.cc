#include "rpc/auth_middleware.h"

#include <arrow/flight/server.h>
#include <arrow/flight/types.h>

#include "common/auth.h"

namespace homer::rpc {
namespace {

/// Hands the bearer to a client that authenticated with Basic.
class BearerReply : public arrow::flight::ServerMiddleware {
 public:
  explicit BearerReply(std::string token) : token_(std::move(token)) {}
  void SendingHeaders(arrow::flight::AddCallHeaders* outgoing) override {
    outgoing->AddHeader("authorization", "Bearer " + token_);
  }
  void CallCompleted(const arrow::Status&) override {}
  std::string name() const override { return "BearerReply"; }

 private:
  std::string token_;
};

}  // namespace

arrow::Status TokenAuthFactory::StartCall(const arrow::flight::CallInfo&,
                                          const arrow::flight::ServerCallContext& context,
                                          std::shared_ptr<arrow::flight::ServerMiddleware>* middleware) {
  if (token_.empty()) return arrow::Status::OK();
  // gRPC metadata keys arrive in lower case.
  auto [it, end] = context.incoming_headers().equal_range("authorization");
  for (; it != end; ++it) {
    if (auth::BearerMatches(it->second, token_)) return arrow::Status::OK();
    if (accept_basic_ && auth::BasicMatches(it->second, token_)) {
      *middleware = std::make_shared<BearerReply>(token_);
      return arrow::Status::OK();
    }
  }
  return arrow::flight::MakeFlightError(
      arrow::flight::FlightStatusCode::Unauthenticated,
      accept_basic_ ? "Flight SQL needs the node's token: 'authorization: Bearer <token>' or Basic auth with the "
                      "token as password"
                    : "missing or wrong bearer token: send 'authorization: Bearer <token>'");
}

}  // namespace homer::rpc
