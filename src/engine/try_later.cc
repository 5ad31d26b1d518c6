#include "engine/try_later.h"

#include "engine/status_mark.h"

namespace homer::engine {
namespace {

constexpr const char* kTryLater = "try later";

}  // namespace

arrow::Status TooManyQueries(size_t slots, std::chrono::milliseconds waited) {
  return WithMark(arrow::Status::CapacityError("too many queries: all ", slots, " query slots stayed busy for ",
                                               waited.count(),
                                               " ms (node.ducklake.max_concurrent_queries); try again later"),
                  kTryLater);
}

bool IsTooManyQueries(const arrow::Status& status) {
  return HasMark(status, kTryLater);
}

}  // namespace homer::engine
