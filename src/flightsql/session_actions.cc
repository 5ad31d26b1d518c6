#include "flightsql/session_actions.h"

#include <arrow/flight/types.h>

namespace homer::flightsql {

namespace fl = arrow::flight;

arrow::Result<std::string> SessionAction(std::string_view type, std::string_view body, bool* handled) {
  *handled = true;
  if (type == fl::ActionType::kSetSessionOptions.type) {
    ARROW_ASSIGN_OR_RAISE(auto request, fl::SetSessionOptionsRequest::Deserialize(body));
    fl::SetSessionOptionsResult result;
    for (const auto& [name, value] : request.session_options) {
      result.errors[name] = {fl::SetSessionOptionErrorValue::kInvalidName};
    }
    return result.SerializeToString();
  }
  if (type == fl::ActionType::kGetSessionOptions.type) {
    ARROW_RETURN_NOT_OK(fl::GetSessionOptionsRequest::Deserialize(body).status());
    return fl::GetSessionOptionsResult().SerializeToString();
  }
  if (type == fl::ActionType::kCloseSession.type) {
    ARROW_RETURN_NOT_OK(fl::CloseSessionRequest::Deserialize(body).status());
    return fl::CloseSessionResult(fl::CloseSessionStatus::kClosed).SerializeToString();
  }
  *handled = false;
  return std::string();
}

}  // namespace homer::flightsql
