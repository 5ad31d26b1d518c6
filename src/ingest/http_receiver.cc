#include "ingest/http_receiver.h"

#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <thread>

#include "ingest/hep_packet.h"
#include "ingest/socket_util.h"

namespace homer::ingest {

struct HttpReceiver::Impl {
  httplib::Server server;
  std::thread thread;
  int port = 0;
};

namespace {

// Requests served at once (cpp-httplib gives a connection a thread while it is kept alive).
constexpr int kThreads = 16;
constexpr const char* kJson = "application/json";

std::string_view Trim(std::string_view v) {
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.remove_suffix(1);
  return v;
}

/// Equality whose time depends on neither the contents nor where they differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  const size_t n = std::max(a.size(), b.size());
  unsigned diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? a[i] : 0, y = i < b.size() ? b[i] : 0;
    diff |= x ^ y;
  }
  return diff == 0;
}

/// "Bearer <token>", the scheme in any case, surrounding blanks ignored.
bool BearerMatches(std::string_view header, std::string_view token) {
  constexpr std::string_view kScheme = "bearer";
  std::string_view v = Trim(header);
  if (v.size() <= kScheme.size() || !std::isspace(static_cast<unsigned char>(v[kScheme.size()]))) return false;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(v[i])) != kScheme[i]) return false;
  }
  return ConstantTimeEquals(Trim(v.substr(kScheme.size())), token);
}

void Reply(httplib::Response& res, int status, const std::string& json) {
  res.status = status;
  res.set_content(json, kJson);
}

/// A Content-Length that is no byte count (400), or above `max_body` (413): answered before
/// the body is read, and the connection closed so the unread body is not taken for a request.
bool RefuseContentLength(const httplib::Request& req, int64_t max_body, IngestStats* stats, httplib::Response& res) {
  if (!req.has_header("Content-Length")) return false;
  const std::string value = req.get_header_value("Content-Length");
  if (value.empty() || value.size() > 18 || value.find_first_not_of("0123456789") != std::string::npos) {
    Reply(res, 400, R"({"error":"Content-Length is not a byte count"})");
  } else if (std::stoll(value) > max_body) {
    stats->Received(Transport::kHttp, 1, 0);
    stats->Dropped(DropReason::kTooLarge);
    Reply(res, 413, R"({"error":"body larger than ingest.http.max_body_bytes (")" + std::to_string(max_body) + ")\"}");
  } else {
    return false;
  }
  res.set_header("Connection", "close");
  return true;
}

void Configure(httplib::Server& server, const config::IngestConfig& config, PacketQueue* queue, IngestStats* stats) {
  const std::string token = config.http.auth_token;
  const int64_t max_body = config.http.max_body_bytes;
  const size_t max_packet = static_cast<size_t>(std::max<int64_t>(config.max_packet_bytes, 1));
  const bool accept_v1_v2 = config.hepv2_enable;

  server.new_task_queue = [] { return new httplib::ThreadPool(kThreads); };
  // The library's default also sets SO_REUSEPORT, which lets a second process share the port
  // instead of failing to bind.
  server.set_socket_options([](socket_t s) {
    const int yes = 1;
    ::setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    // Accepted connections inherit it: a reply's small writes must not wait for the client's
    // delayed ACK (a kept-alive request took 44 ms instead of 2).
    ::setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
  });
  server.set_payload_max_length(static_cast<size_t>(max_body));
  server.set_read_timeout(30, 0);
  server.set_write_timeout(30, 0);
  server.set_keep_alive_max_count(100000);  // agents post packet after packet on one connection
  // An idle kept-alive connection holds a pool thread, and stop() waits for it: 1 s, not 5.
  server.set_keep_alive_timeout(1);

  server.set_pre_routing_handler([=](const httplib::Request& req, httplib::Response& res) {
    using R = httplib::Server::HandlerResponse;
    const bool hep = req.path == "/api/hep", health = req.path == "/health";
    // Without the token an unknown path is 401 too: routes cannot be listed by probing.
    if (!health && !token.empty() && !BearerMatches(req.get_header_value("Authorization"), token)) {
      res.set_header("WWW-Authenticate", "Bearer");
      Reply(res, 401, R"({"error":"unauthorized"})");
      return R::Handled;
    }
    if (!hep && !health) {
      Reply(res, 404, R"({"error":"no such route"})");
      return R::Handled;
    }
    const char* method = hep ? "POST" : "GET";
    if (req.method != method) {
      res.set_header("Allow", method);
      Reply(res, 405, std::string(R"({"error":"use )") + method + "\"}");
      return R::Handled;
    }
    if (hep && RefuseContentLength(req, max_body, stats, res)) return R::Handled;
    return R::Unhandled;
  });

  server.Get("/health", [](const httplib::Request&, httplib::Response& res) {
    Reply(res, 200, R"({"status":"ok","module":"ingest"})");
  });

  server.Post("/api/hep", [=](const httplib::Request& req, httplib::Response& res) {
    if (req.body.empty()) return Reply(res, 400, R"({"error":"empty body: POST one HEP packet"})");
    const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(req.body.data()), req.body.size());
    stats->Received(Transport::kHttp, 1, bytes.size());
    if (bytes.size() > max_packet) {
      stats->Dropped(DropReason::kTooLarge);
      return Reply(res, 413, R"({"error":"packet larger than ingest.max_packet_bytes"})");
    }
    // Decoded here as well as in the decode thread, so the sender learns that the packet is bad.
    HepPacket packet;
    DropReason reason;
    if (!DecodeHep(bytes, accept_v1_v2, &packet, &reason)) {
      stats->Dropped(reason);
      return Reply(res, 400, std::string(R"({"error":"not a valid HEP packet","reason":")") +
                                 DropReasonName(reason) + "\"}");
    }
    if (!queue->TryPush(bytes, Transport::kHttp, NowMicros())) {
      stats->Dropped(DropReason::kQueueFull);
      res.set_header("Retry-After", "1");
      return Reply(res, 503, R"({"error":"queue full"})");
    }
    Reply(res, 200, R"({"accepted":1})");
  });

  // Errors the library raises itself (a chunked body past the limit, a bad request line).
  server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    res.set_content(res.status == 413 ? R"({"error":"body larger than ingest.http.max_body_bytes"})"
                                      : R"({"error":"HTTP )" + std::to_string(res.status) + "\"}",
                    kJson);
  });
}

}  // namespace

HttpReceiver::HttpReceiver(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpReceiver::~HttpReceiver() { Stop(); }

int HttpReceiver::port() const { return impl_->port; }

void HttpReceiver::Stop() {
  if (!impl_->thread.joinable()) return;
  impl_->server.stop();
  impl_->thread.join();
}

arrow::Result<std::unique_ptr<HttpReceiver>> HttpReceiver::Start(const config::IngestConfig& config,
                                                                 PacketQueue* queue, IngestStats* stats) {
  auto impl = std::make_unique<Impl>();
  Configure(impl->server, config, queue, stats);
  const auto& http = config.http;
  errno = 0;
  int port = http.port;
  if (port == 0) port = impl->server.bind_to_any_port(http.host);
  else if (!impl->server.bind_to_port(http.host, port)) port = -1;
  if (port <= 0) {
    return arrow::Status::IOError("ingest.http: cannot bind ", HostPort(http.host, http.port), ": ",
                                  errno != 0 ? std::strerror(errno) : "address in use or not available");
  }
  impl->port = port;
  impl->thread = std::thread([s = &impl->server] { s->listen_after_bind(); });
  // stop() does nothing until the loop runs: wait for it, so a quick Stop() cannot hang.
  while (!impl->server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  spdlog::info("ingest.http: listening on http://{} ({})", HostPort(http.host, port),
               http.auth_token.empty() ? "no token" : "bearer token");
  return std::unique_ptr<HttpReceiver>(new HttpReceiver(std::move(impl)));
}

}  // namespace homer::ingest
