#include "engine/try_later.h"

#include <string>
#include <string_view>

namespace homer::engine {
namespace {

class TryLaterDetail : public arrow::StatusDetail {
 public:
  static constexpr const char* kTypeId = "homer::engine::TryLater";
  const char* type_id() const override { return kTypeId; }
  std::string ToString() const override { return "try later"; }
};

}  // namespace

arrow::Status TooManyQueries(size_t slots, std::chrono::milliseconds waited) {
  return arrow::Status::CapacityError("too many queries: all ", slots, " query slots stayed busy for ",
                                      waited.count(), " ms (node.ducklake.max_concurrent_queries); try again later")
      .WithDetail(std::make_shared<TryLaterDetail>());
}

bool IsTooManyQueries(const arrow::Status& status) {
  return status.detail() && std::string_view(status.detail()->type_id()) == TryLaterDetail::kTypeId;
}

}  // namespace homer::engine
