#include "engine/status_mark.h"

#include <memory>
#include <string>
#include <string_view>

namespace homer::engine {
namespace {

class MarkDetail : public arrow::StatusDetail {
 public:
  static constexpr const char* kTypeId = "homer::engine::Mark";
  explicit MarkDetail(const char* mark) : mark_(mark) {}
  const char* type_id() const override { return kTypeId; }
  std::string ToString() const override { return mark_; }

 private:
  const char* mark_;
};

}  // namespace

arrow::Status WithMark(const arrow::Status& status, const char* mark) {
  return status.WithDetail(std::make_shared<MarkDetail>(mark));
}

bool HasMark(const arrow::Status& status, const char* mark) {
  return status.detail() && std::string_view(status.detail()->type_id()) == MarkDetail::kTypeId &&
         status.detail()->ToString() == mark;
}

}  // namespace homer::engine
