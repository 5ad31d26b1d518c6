#pragma once
/// \file
/// Flight session options (SetSessionOptions, GetSessionOptions, CloseSession). The node keeps
/// no per-session state: every query runs alone on its own DuckDB connection under the same
/// read-only configuration, so there is no option a client could set. Setting one is answered
/// per option with INVALID_NAME (as the protocol wants, not as a call failure), getting returns
/// none, and closing always succeeds.

#include <arrow/result.h>

#include <string>
#include <string_view>

namespace homer::flightsql {

/// The serialized result of the session action `type` for the serialized request `body`;
/// false in `*handled` when `type` is not a session action.
arrow::Result<std::string> SessionAction(std::string_view type, std::string_view body, bool* handled);

}  // namespace homer::flightsql
