#pragma once
/// \file
/// The one place an arrow::Status becomes the status a Flight client sees.
///
/// The Airport client retries every IOError-class failure (UNAVAILABLE, INTERNAL, UNKNOWN,
/// DEADLINE_EXCEEDED, UNAUTHENTICATED, ...) up to 15 times, so user errors must use codes it
/// does not retry: INVALID_ARGUMENT (bad SQL, refused statement, bad request), NOT_FOUND
/// (unknown table or catalog), UNIMPLEMENTED, CANCELLED (client cancel and query timeout).
/// Storage failures and "too many queries, try later" are UNAVAILABLE: retrying them is what a
/// client should do.

#include <arrow/status.h>

namespace homer::rpc {

arrow::Status ToFlightStatus(const arrow::Status& status);

}  // namespace homer::rpc
