#include "http/http_server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>

#include <map>
#include <optional>
#include <set>
#include <thread>

#include "common/auth.h"
#include "http/handlers_internal.h"
#include "http/http_status.h"

namespace homer::http {

struct HttpServer::Impl {
  HandlerContext ctx;
  httplib::Server server;
  std::thread thread;
  int port = 0;
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

int HttpServer::port() const { return impl_->port; }

void HttpServer::Stop() {
  if (impl_->thread.joinable()) {
    impl_->server.stop();
    impl_->thread.join();
  }
}

arrow::Result<std::unique_ptr<HttpServer>> HttpServer::Start(engine::Engine* engine, HttpServerOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->ctx.engine = engine;
  impl->ctx.options = options;
  auto& server = impl->server;
  auto routes = std::make_shared<std::map<std::string, Route>>(Routes(impl->ctx));
  const std::string token = options.token;
  const int threads = options.limits.threads;

  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_payload_max_length(options.limits.max_body_bytes);
  server.set_read_timeout(30, 0);
  server.set_write_timeout(60, 0);  // per write: a slow reader is dropped, a long result is not
  server.set_keep_alive_max_count(1000);
  // An idle kept-alive connection holds a pool thread (and stop() waits for it): 2 s, not 5.
  server.set_keep_alive_timeout(2);
  // The library's default also sets SO_REUSEPORT: a second process could share the port instead
  // of failing to bind.
  server.set_socket_options([](socket_t s) {
    const int yes = 1;
    ::setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    // Accepted connections inherit it: a reply's small writes must not wait for the client's
    // delayed ACK (a kept-alive request took 44 ms instead of 2).
    ::setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
  });

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

  int port = options.port;
  if (port == 0) {
    port = server.bind_to_any_port(options.host);
  } else if (!server.bind_to_port(options.host, port)) {
    port = -1;
  }
  if (port <= 0) {
    return arrow::Status::IOError("HTTP API cannot listen on ", options.host, ":", options.port,
                                  " (address in use or not available)");
  }
  impl->port = port;
  impl->thread = std::thread([s = &impl->server] { s->listen_after_bind(); });
  spdlog::info("HTTP API on http://{}:{} ({})", options.host, port, token.empty() ? "no token" : "bearer token");
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

}  // namespace homer::http
