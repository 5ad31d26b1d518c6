#include "rpc/inbound_limits.h"

namespace homer::rpc {
namespace {

arrow::Status Check(size_t bytes, int64_t limit, const char* what) {
  if (limit > 0 && static_cast<int64_t>(bytes) > limit) {
    return arrow::Status::Invalid("the ", what, " is ", bytes, " bytes, more than flight_server.max_message_size (",
                                  limit, ")");
  }
  return arrow::Status::OK();
}

}  // namespace

arrow::Status CheckInbound(const arrow::flight::FlightDescriptor& descriptor, int64_t limit) {
  size_t bytes = descriptor.cmd.size();
  for (const auto& part : descriptor.path) bytes += part.size();
  return Check(bytes, limit, "descriptor");
}

arrow::Status CheckInbound(const arrow::flight::Ticket& ticket, int64_t limit) {
  return Check(ticket.ticket.size(), limit, "ticket");
}

arrow::Status CheckInbound(const arrow::flight::Action& action, int64_t limit) {
  return Check(action.body ? static_cast<size_t>(action.body->size()) : 0, limit, "action body");
}

}  // namespace homer::rpc
