#include "flightsql/commands.h"

#include <google/protobuf/any.pb.h>

namespace homer::flightsql {
namespace {

/// Unpack `any` into the alternative T of Command when its type_url names T.
template <typename T>
bool TryUnpack(const google::protobuf::Any& any, Command* out) {
  if (!any.Is<T>()) return false;
  T message;
  if (!any.UnpackTo(&message)) return false;
  *out = std::move(message);
  return true;
}

template <typename... Ts>
bool UnpackAnyOf(const google::protobuf::Any& any, Command* out, std::variant<Ts...>*) {
  return (TryUnpack<Ts>(any, out) || ...);
}

arrow::Result<google::protobuf::Any> ParseAny(std::string_view bytes) {
  google::protobuf::Any any;
  if (!any.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return arrow::Status::Invalid("not a Flight SQL command: the bytes are no serialized google.protobuf.Any");
  }
  return any;
}

}  // namespace

arrow::Result<Command> ParseCommand(std::string_view any_bytes) {
  ARROW_ASSIGN_OR_RAISE(auto any, ParseAny(any_bytes));
  Command command;
  if (UnpackAnyOf(any, &command, static_cast<Command*>(nullptr))) return command;
  return arrow::Status::Invalid("unsupported Flight SQL command '", any.type_url(), "'");
}

std::string PackAny(const google::protobuf::Message& message) {
  google::protobuf::Any any;
  any.PackFrom(message);
  return any.SerializeAsString();
}

template <typename T>
arrow::Result<T> UnpackAny(std::string_view any_bytes) {
  ARROW_ASSIGN_OR_RAISE(auto any, ParseAny(any_bytes));
  T message;
  if (!any.Is<T>() || !any.UnpackTo(&message)) {
    return arrow::Status::Invalid("expected ", T::descriptor()->full_name(), ", got '", any.type_url(), "'");
  }
  return message;
}

template arrow::Result<pb::ActionCreatePreparedStatementRequest> UnpackAny(std::string_view);
template arrow::Result<pb::ActionClosePreparedStatementRequest> UnpackAny(std::string_view);

}  // namespace homer::flightsql
