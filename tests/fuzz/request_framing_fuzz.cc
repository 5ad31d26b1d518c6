// The bytes an HTTP client sends before the front hands a request to a worker (src/http/request_framing.h).
// Besides not crashing: a framed request lies inside the bytes, a refusal has a status and a reason,
// and framing resumed after a prefix that ended inside the headers gives what framing from the
// start gives (the front resumes so as not to rescan a trickled request).
#include <cstdint>
#include <string_view>

#include "http/request_framing.h"

namespace {

using homer::http::FrameRequest;
using homer::http::RequestFrame;

constexpr size_t kMaxHeaderBytes = 1024;
constexpr int64_t kMaxBodyBytes = 4096;

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

void CheckFrame(const RequestFrame& f, std::string_view in) {
  Check(f.header_end <= in.size());
  if (f.state == RequestFrame::State::kComplete || f.state == RequestFrame::State::kHeadersOnly) {
    Check(f.header_end > 0 && f.header_end <= f.end);
    Check(f.state != RequestFrame::State::kComplete || f.end <= in.size());
  }
  if (f.state == RequestFrame::State::kRefused) Check(f.status >= 400 && f.status < 600 && !f.reason.empty());
  if (f.expect_continue) Check(f.expect_offset + f.expect_length <= f.header_end);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  const RequestFrame whole = FrameRequest(in, kMaxHeaderBytes, kMaxBodyBytes);
  CheckFrame(whole, in);
  const size_t split = in.empty() ? 0 : data[0] % (in.size() + 1);
  const RequestFrame prefix = FrameRequest(in.substr(0, split), kMaxHeaderBytes, kMaxBodyBytes);
  if (prefix.state == RequestFrame::State::kIncomplete && prefix.header_end == 0) {
    const RequestFrame resumed = FrameRequest(in, kMaxHeaderBytes, kMaxBodyBytes, split);
    Check(resumed.state == whole.state && resumed.header_end == whole.header_end && resumed.end == whole.end &&
          resumed.status == whole.status);
  }
  return 0;
}
