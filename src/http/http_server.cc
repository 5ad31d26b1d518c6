#include "http/http_server.h"

#include <spdlog/spdlog.h>

#include <map>
#include <optional>
#include <set>

#include "common/auth.h"
#include "http/connection_front.h"
#include "http/handlers_internal.h"
#include "http/http_status.h"

namespace homer::http {

namespace {

constexpr int kWriteTimeoutMs = 60'000;  // per write: a slow reader is dropped, a long result is not

/// httplib's request handling without its accept loop and per-connection threads: the front reads
/// each request before a worker serves it.
class RequestServer : public httplib::Server {
 public:
  /// One request from `strm`; `closed` when the request itself ends the connection.
  bool Serve(httplib::Stream& strm, bool last, bool& closed) { return process_request(strm, last, closed, nullptr); }
  /// Streamed responses stop once this is unset (httplib's "shutting down" test).
  void SetListening(int fd) { svr_sock_ = fd; }
};

}  // namespace

struct HttpServer::Impl {
  HandlerContext ctx;
  RequestServer server;
  std::unique_ptr<ConnectionFront> front;
};

namespace {

using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

struct Route {
  std::string method;
  bool open;  ///< served without a token (only /health)
  bool legacy;
  Handler handler;
};

std::map<std::string, Route> Routes(HandlerContext& ctx) {
  using R = const httplib::Request&;
  using S = httplib::Response&;
  return {
      {"/api/v4/node/stats", {"GET", false, false, [&ctx](R q, S s) { HandleNodeStats(ctx, q, s); }}},
      {"/api/v4/node/query",
       {"POST", false, false, [&ctx](R q, S s) { HandleQuery(ctx, q, s, QueryShape::kColumnsAndRows); }}},
      {"/api/v4/node/vacuum", {"POST", false, false, [&ctx](R q, S s) { HandleVacuum(ctx, q, s, false); }}},
      {"/query", {"POST", false, true, [&ctx](R q, S s) { HandleQuery(ctx, q, s, QueryShape::kLegacyObjects); }}},
      {"/health", {"GET", true, true, [&ctx](R q, S s) { HandleHealth(ctx, q, s); }}},
      {"/vacuum", {"POST", false, true, [&ctx](R q, S s) { HandleVacuum(ctx, q, s, true); }}},
      {"/metadata/stats", {"GET", false, true, [&ctx](R q, S s) { HandleMetadataStats(ctx, q, s); }}},
      {"/metrics",
       {"GET", ctx.options.limits.metrics_public, false, [&ctx](R q, S s) { HandleMetrics(ctx, q, s); }}},
  };
}

/// A Content-Length that is not a number, or announces more than `max_body` bytes: the status and
/// reason to refuse the request with before its body is read.
std::optional<std::pair<int, std::string>> CheckContentLength(const httplib::Request& req, int64_t max_body) {
  if (!req.has_header("Content-Length")) return std::nullopt;
  const std::string value = req.get_header_value("Content-Length");
  const bool digits = !value.empty() && value.size() <= 19 &&
                      value.find_first_not_of("0123456789") == std::string::npos;
  if (!digits) return std::pair{400, "Content-Length '" + value.substr(0, 32) + "' is not a byte count"};
  if (std::stoll(value) > max_body) {
    return std::pair{413, "request body of " + value + " bytes is larger than node.http.max_body_bytes (" +
                              std::to_string(max_body) + ")"};
  }
  return std::nullopt;
}

}  // namespace

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(); }

int HttpServer::port() const { return impl_->front->port(); }

void HttpServer::Stop() {
  if (!impl_->front) return;
  impl_->server.SetListening(INVALID_SOCKET);
  impl_->front->Stop();
}

arrow::Result<std::unique_ptr<HttpServer>> HttpServer::Start(engine::Engine* engine, HttpServerOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->ctx.engine = engine;
  impl->ctx.options = options;
  auto& server = impl->server;
  auto routes = std::make_shared<std::map<std::string, Route>>(Routes(impl->ctx));
  const std::string token = options.token;

  server.set_payload_max_length(options.limits.max_body_bytes);
  server.set_keep_alive_max_count(1000);  // both only shape the Keep-Alive header: the front enforces them
  server.set_keep_alive_timeout(options.limits.keep_alive_timeout_sec);

  // Route, method, auth and body-size checks in one place, before any body is read or handler
  // runs. Without the token, an unknown route is 401 like a known one: routes are not enumerable.
  const int64_t max_body = options.limits.max_body_bytes;
  server.set_pre_routing_handler([routes, token, max_body](const httplib::Request& req, httplib::Response& res) {
    auto it = routes->find(req.path);
    const bool open = it != routes->end() && it->second.open;
    if (!open && !token.empty() && !auth::BearerMatches(req.get_header_value("Authorization"), token)) {
      res.status = 401;
      res.set_header("WWW-Authenticate", "Bearer");
      res.set_content("Unauthorized", "text/plain");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (it == routes->end()) {
      SendError(res, 404, "no route " + req.method + " " + req.path, false);
      return httplib::Server::HandlerResponse::Handled;
    }
    const Route& route = it->second;
    if (auto refused = CheckContentLength(req, max_body)) {
      // The library would read (or wait for) the announced body before answering: answer now
      // and close, so the unread body is never taken for the next request.
      SendError(res, refused->first, refused->second, route.legacy);
      res.set_header("Connection", "close");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (req.method != route.method) {
      res.set_header("Allow", route.method);
      SendError(res, 405, "method " + req.method + " not allowed on " + req.path + " (use " + route.method + ")",
                route.legacy);
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;  // the body is read after this point
  });
  for (const auto& [path, route] : *routes) {
    if (route.method == "GET") server.Get(path, route.handler);
    else server.Post(path, route.handler);
  }
  // Errors the library raises itself (oversize body, bad request line) get a JSON body too.
  server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty() || res.is_chunked_content_provider_) return;
    std::string why = res.status == 413 ? "request body is larger than node.http.max_body_bytes"
                                        : "request failed with HTTP status " + std::to_string(res.status);
    res.set_content(ErrorBody(why, false), "application/json");
  });
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string why = "internal error";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      why = e.what();
    }
    SendError(res, 500, why, false);
  });

  auto serve = [s = &impl->server](const Connection& conn, size_t end, bool last) {
    ConnectionStream stream(conn, end, kWriteTimeoutMs);
    bool closed = false;
    return s->Serve(stream, last, closed) && !closed;
  };
  ARROW_ASSIGN_OR_RAISE(impl->front, ConnectionFront::Listen(options.host, options.port, options.limits, serve));
  server.SetListening(impl->front->listen_fd());
  impl->front->Start();
  spdlog::info("HTTP API on http://{}:{} ({})", options.host, impl->front->port(),
               token.empty() ? "no token" : "bearer token");
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

}  // namespace homer::http
