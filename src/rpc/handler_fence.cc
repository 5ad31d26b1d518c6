#include "rpc/handler_fence.h"

#if defined(__SANITIZE_THREAD__)
#define HOMER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define HOMER_TSAN 1
#endif
#endif

#include <chrono>

#ifdef HOMER_TSAN
#include <arrow/flight/server_middleware.h>
#include <sanitizer/tsan_interface.h>

#include <memory>
#include <string>
#endif

namespace homer::rpc {

#ifdef HOMER_TSAN
namespace {

char fence;  // the synchronization object: its address only

class Fence : public arrow::flight::ServerMiddleware {
 public:
  void SendingHeaders(arrow::flight::AddCallHeaders*) override {}
  void CallCompleted(const arrow::Status&) override { __tsan_release(&fence); }
  std::string name() const override { return "HandlerFence"; }
};

class FenceFactory : public arrow::flight::ServerMiddlewareFactory {
 public:
  arrow::Status StartCall(const arrow::flight::CallInfo&, const arrow::flight::ServerCallContext&,
                          std::shared_ptr<arrow::flight::ServerMiddleware>* middleware) override {
    *middleware = std::make_shared<Fence>();
    return arrow::Status::OK();
  }
};

}  // namespace

void AddHandlerFence(arrow::flight::FlightServerOptions* options) {
  // First, so it is there even for a call the token check refuses.
  options->middleware.insert(options->middleware.begin(), {"handler-fence", std::make_shared<FenceFactory>()});
}

#else
void AddHandlerFence(arrow::flight::FlightServerOptions*) {}
#endif

arrow::Status ShutdownAndWait(arrow::flight::FlightServerBase* server, std::chrono::seconds grace) {
  const auto deadline = std::chrono::system_clock::now() + grace;
  ARROW_RETURN_NOT_OK(server->Shutdown(&deadline));
  ARROW_RETURN_NOT_OK(server->Wait());
#ifdef HOMER_TSAN
  __tsan_acquire(&fence);  // every call's CallCompleted released it
#endif
  return arrow::Status::OK();
}

}  // namespace homer::rpc
