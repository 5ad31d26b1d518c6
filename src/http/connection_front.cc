#include "http/connection_front.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "http/http_status.h"
#include "http/request_framing.h"
#include "metrics/registry.h"

namespace homer::http {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kKeepAliveMaxRequests = 1000;  ///< then the connection is closed (Connection: close)
constexpr auto kLinger = std::chrono::seconds(1);  ///< after an answer that closes: drain, then close
constexpr auto kTick = std::chrono::milliseconds(100);  ///< deadline resolution
constexpr size_t kReadChunk = 64 * 1024;

metrics::Counter& Closed(const std::string& reason) {
  static auto& family = metrics::Registry::Default().AddCounter(
      "homer_http_connections_closed_total",
      "HTTP connections closed or refused by the node, by reason (served: after a response that ends the "
      "connection; client_closed; idle_timeout; header_timeout / body_timeout: 408; headers_too_large: 431; "
      "body_too_large: 413; bad_request: 400/501; too_many_from_ip: 429; too_many_connections: 503).",
      {"reason"});
  return family.With({reason});
}

const char* StatusText(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

/// Numeric address and port of a socket address (getnameinfo, as httplib reports them).
void Describe(const sockaddr_storage& a, socklen_t len, std::string* ip, int* port) {
  char host[NI_MAXHOST] = {}, serv[NI_MAXSERV] = {};
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&a), len, host, sizeof(host), serv, sizeof(serv),
                  NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
    *ip = host;
    *port = std::atoi(serv);
  }
}

arrow::Result<int> ListenSocket(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) {
    return arrow::Status::IOError("HTTP API cannot resolve ", host);
  }
  int fd = -1;
  for (addrinfo* a = found; a && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    const int yes = 1, no = 0;
    // SO_REUSEADDR only: SO_REUSEPORT would let a second process share the port.
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    if (a->ai_family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &no, sizeof(no));
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, SOMAXCONN) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  if (fd < 0) {
    return arrow::Status::IOError("HTTP API cannot listen on ", host, ":", port, " (address in use or not available)");
  }
  return fd;
}

}  // namespace

struct ConnectionFront::Impl {
  /// Where a connection is; the front's own state beside the Connection a worker borrows.
  enum class Phase {
    kWaiting,  ///< for the first byte of a request
    kHeaders,  ///< request line and headers arriving
    kBody,     ///< headers in, body arriving
    kServing,  ///< a worker has it (not in epoll)
    kClosing,  ///< answered and shut for writing: drained until the client closes or kLinger
  };
  struct Client {
    Connection conn;
    Phase phase = Phase::kWaiting;
    Clock::time_point deadline;
    bool counted = true;  ///< within the caps (a refused connection is not)
    bool continue_sent = false;
    bool eof = false;  ///< the client closed its side
    size_t searched = 0;  ///< bytes of the buffer searched for the end of the headers
    size_t expected = 0;  ///< the request's end once its headers gave a Content-Length
  };

  config::HttpConfig limits;
  Serve serve;
  int listen_fd = -1, epoll_fd = -1, wake_fd = -1, port = 0;
  std::unordered_map<int, std::unique_ptr<Client>> clients;  // the loop thread's, but kServing ones
  std::unordered_map<std::string, int> per_ip;
  int lingering_refusals = 0;
  std::atomic<int> open{0}, serving{0};
  std::mutex done_mutex;
  std::vector<std::pair<int, bool>> done;  ///< from workers: fd, stays open
  std::unique_ptr<httplib::ThreadPool> pool;
  std::thread loop;
  std::atomic<bool> stopping{false};
  bool accept_paused = false;
  uint64_t gauge_id = 0;

  ~Impl() {
    for (int fd : {listen_fd, epoll_fd, wake_fd}) {
      if (fd >= 0) ::close(fd);
    }
  }

  void Run() {
    epoll_event events[64];
    auto last_sweep = Clock::now();
    while (!stopping) {
      const int n = epoll_wait(epoll_fd, events, 64, static_cast<int>(kTick.count()));
      for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (fd == listen_fd) Accept();
        else if (fd != wake_fd) OnReadable(fd);
      }
      TakeBack();
      if (Clock::now() - last_sweep >= kTick) {
        last_sweep = Clock::now();
        Sweep(last_sweep);
      }
    }
    for (auto it = clients.begin(); it != clients.end();) {
      auto next = std::next(it);
      if (it->second->phase != Phase::kServing) Close(it->first);
      it = next;
    }
  }

  void Watch(int fd, int op) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(epoll_fd, op, fd, &ev);
  }

  void Accept() {
    for (;;) {
      sockaddr_storage peer{};
      socklen_t len = sizeof(peer);
      const int fd = accept4(listen_fd, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          // Out of descriptors: stop polling the listener until the next tick instead of spinning.
          spdlog::warn("HTTP API cannot accept a connection: {}", std::strerror(errno));
          epoll_ctl(epoll_fd, EPOLL_CTL_DEL, listen_fd, nullptr);
          accept_paused = true;
        }
        return;
      }
      const int yes = 1;
      // A reply's small writes must not wait for the client's delayed ACK.
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
      auto client = std::make_unique<Client>();
      Connection& c = client->conn;
      c.fd = fd;
      Describe(peer, len, &c.remote_ip, &c.remote_port);
      sockaddr_storage local{};
      socklen_t local_len = sizeof(local);
      if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) == 0) {
        Describe(local, local_len, &c.local_ip, &c.local_port);
      }
      client->deadline = Clock::now() + std::chrono::seconds(limits.header_timeout_sec);
      Client& added = *clients.emplace(fd, std::move(client)).first->second;
      Watch(fd, EPOLL_CTL_ADD);
      if (open >= limits.max_connections) {
        Refuse(added, 503, "too_many_connections",
               "the node has node.http.max_connections (" + std::to_string(limits.max_connections) +
                   ") connections open; try again later");
      } else if (per_ip[c.remote_ip] >= limits.max_connections_per_ip) {
        Refuse(added, 429, "too_many_from_ip",
               "this address has node.http.max_connections_per_ip (" + std::to_string(limits.max_connections_per_ip) +
                   ") connections open; close one or try again later");
      } else {
        ++open;
        ++per_ip[c.remote_ip];
      }
    }
  }

  /// Answer a connection beyond the caps; more refusals than max_connections are closed unanswered.
  void Refuse(Client& client, int status, const std::string& reason, const std::string& message) {
    client.counted = false;
    if (lingering_refusals >= limits.max_connections) {
      Closed(reason).Add();
      Close(client.conn.fd);
      return;
    }
    ++lingering_refusals;
    Read(client);  // the request may be in already: answered, it is not reset by an unread close
    Answer(client, status, reason, message);
  }

  /// Write a JSON error that closes the connection; the client reads it before it sees the close.
  void Answer(Client& client, int status, const std::string& reason, const std::string& message) {
    Closed(reason).Add();
    const std::string body = ErrorBody(message, false);
    std::string response = "HTTP/1.1 " + std::to_string(status) + " " + StatusText(status) +
                           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                           "\r\nConnection: close\r\n";
    if (status == 503 || status == 429) response += "Retry-After: 1\r\n";
    response += "\r\n" + body;
    // Small enough for the socket's send buffer; a client that will not take it loses it.
    ::send(client.conn.fd, response.data(), response.size(), MSG_NOSIGNAL);
    Linger(client);
  }

  void Linger(Client& client) {
    ::shutdown(client.conn.fd, SHUT_WR);
    client.phase = Phase::kClosing;
    client.deadline = Clock::now() + kLinger;
    client.conn.buffer.clear();
  }

  void Close(int fd) {
    auto it = clients.find(fd);
    if (it == clients.end()) return;
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
    ::close(fd);
    if (it->second->counted) {
      --open;
      auto ip = per_ip.find(it->second->conn.remote_ip);
      if (ip != per_ip.end() && --ip->second == 0) per_ip.erase(ip);
    } else {
      --lingering_refusals;
    }
    clients.erase(it);
  }

  /// The most a connection buffers: one request of the largest size, plus a read.
  size_t Bound() const { return static_cast<size_t>(limits.max_header_bytes + limits.max_body_bytes) + kReadChunk; }

  /// Read what the socket holds, up to Bound() (discarded while closing); false on a read error.
  bool Read(Client& client) {
    std::string& buffer = client.conn.buffer;
    char chunk[kReadChunk];
    for (size_t budget = Bound() - std::min(Bound(), buffer.size()); budget > 0;) {
      const ssize_t n = ::recv(client.conn.fd, chunk, std::min(sizeof(chunk), budget), 0);
      if (n > 0) {
        if (client.phase != Phase::kClosing) buffer.append(chunk, static_cast<size_t>(n));
        budget -= static_cast<size_t>(n);
        continue;
      }
      if (n == 0) client.eof = true;
      if (n < 0 && errno == EINTR) continue;
      return n == 0 || errno == EAGAIN || errno == EWOULDBLOCK;
    }
    return true;
  }

  void OnReadable(int fd) {
    auto it = clients.find(fd);
    if (it == clients.end() || it->second->phase == Phase::kServing) return;
    Client& client = *it->second;
    const bool ok = Read(client);
    if (client.phase == Phase::kClosing) {
      if (!ok || client.eof) Close(fd);
      return;
    }
    if (!ok) {
      Closed("client_closed").Add();
      return Close(fd);
    }
    Advance(client);
  }

  /// Move a reading connection on by what it has buffered: wait, answer or serve.
  void Advance(Client& client) {
    Connection& c = client.conn;
    if (c.buffer.empty()) {
      if (client.eof) {
        Closed("client_closed").Add();
        Close(c.fd);
      }
      return;
    }
    if (client.phase == Phase::kWaiting) {
      client.phase = Phase::kHeaders;
      // A new connection's deadline runs from its accept; a kept-alive one's from the first byte.
      if (c.requests > 0) client.deadline = Clock::now() + std::chrono::seconds(limits.header_timeout_sec);
    }
    // A trickled request is not reframed from its start at every read.
    if (client.expected > 0 && c.buffer.size() < client.expected && !client.eof) return;
    RequestFrame frame = FrameRequest(c.buffer, limits.max_header_bytes, limits.max_body_bytes, client.searched);
    using State = RequestFrame::State;
    if (frame.state == State::kRefused) {
      const char* reason = frame.status == 431 ? "headers_too_large"
                           : frame.status == 413 ? "body_too_large"
                                                 : "bad_request";
      return Answer(client, frame.status, reason, frame.reason);
    }
    if (frame.state == State::kIncomplete) {
      if (client.eof) {
        Closed("client_closed").Add();
        return Close(c.fd);
      }
      if (c.buffer.size() >= Bound()) {  // e.g. a chunked body of tiny chunks: its framing is too large
        return Answer(client, 413, "body_too_large",
                      "request is larger than node.http.max_header_bytes + max_body_bytes");
      }
      client.searched = frame.header_end > 0 ? 0 : c.buffer.size();
      client.expected = frame.end;
      if (frame.header_end > 0 && client.phase == Phase::kHeaders) {
        client.phase = Phase::kBody;
        client.deadline = Clock::now() + std::chrono::seconds(limits.body_timeout_sec);
        if (frame.expect_continue && !client.continue_sent) {
          static constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
          ::send(c.fd, kContinue, sizeof(kContinue) - 1, MSG_NOSIGNAL);
          client.continue_sent = true;
        }
      }
      return;
    }
    if (frame.expect_length > 0) {
      // The front already asked for the body (or the route refuses it unread): the worker must not
      // write a second 100 Continue.
      c.buffer.erase(frame.expect_offset, frame.expect_length);
      frame = FrameRequest(c.buffer, limits.max_header_bytes, limits.max_body_bytes);
    }
    Dispatch(client, frame.end, frame.state == State::kHeadersOnly || client.eof);
  }

  void Dispatch(Client& client, size_t end, bool close_after) {
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, client.conn.fd, nullptr);
    client.phase = Phase::kServing;
    client.searched = client.expected = 0;
    ++serving;
    pool->enqueue([this, &client, end, close_after] { Work(client, end, close_after); });
  }

  /// On a worker: serve the request, then any complete one pipelined behind it, in order.
  void Work(Client& client, size_t end, bool close_after) {
    Connection& c = client.conn;
    bool keep = true;
    for (;;) {
      const bool last = close_after || ++c.requests >= kKeepAliveMaxRequests;
      keep = serve(c, end, last) && !last;
      c.buffer.erase(0, end);  // also a body the route refused unread
      if (!keep || stopping) break;
      const RequestFrame next = FrameRequest(c.buffer, limits.max_header_bytes, limits.max_body_bytes);
      if (next.state != RequestFrame::State::kComplete || next.expect_length > 0) break;
      end = next.end;
    }
    {
      std::lock_guard lock(done_mutex);
      done.emplace_back(c.fd, keep);
    }
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_fd, &one, sizeof(one));
  }

  /// Connections the workers are done with: wait for their next request, or close.
  void TakeBack() {
    uint64_t count = 0;
    [[maybe_unused]] ssize_t n = ::read(wake_fd, &count, sizeof(count));
    std::vector<std::pair<int, bool>> back;
    {
      std::lock_guard lock(done_mutex);
      back.swap(done);
    }
    for (const auto& [fd, keep] : back) {
      Client& client = *clients.at(fd);
      --serving;
      Watch(fd, EPOLL_CTL_ADD);
      if (!keep) {
        Closed("served").Add();
        Linger(client);
        continue;
      }
      client.phase = Phase::kWaiting;
      client.continue_sent = false;
      client.deadline = Clock::now() + std::chrono::seconds(limits.keep_alive_timeout_sec);
      Advance(client);  // part of the next request may be buffered already
    }
  }

  void Sweep(Clock::time_point now) {
    if (accept_paused) {
      Watch(listen_fd, EPOLL_CTL_ADD);
      accept_paused = false;
    }
    std::vector<int> expired;
    for (const auto& [fd, client] : clients) {
      if (client->phase != Phase::kServing && client->deadline <= now) expired.push_back(fd);
    }
    for (int fd : expired) {
      Client& client = *clients.at(fd);
      const auto header_timeout = "the request line and headers did not arrive within node.http.header_timeout_sec (" +
                                  std::to_string(limits.header_timeout_sec) + " s)";
      switch (client.phase) {
        case Phase::kWaiting:
          if (client.conn.requests == 0) {
            Answer(client, 408, "header_timeout", header_timeout);
          } else {
            Closed("idle_timeout").Add();
            Close(fd);
          }
          break;
        case Phase::kHeaders:
          Answer(client, 408, "header_timeout", header_timeout);
          break;
        case Phase::kBody:
          Answer(client, 408, "body_timeout",
                 "the request body did not arrive within node.http.body_timeout_sec (" +
                     std::to_string(limits.body_timeout_sec) + " s)");
          break;
        default:
          Close(fd);
      }
    }
  }
};

ConnectionFront::ConnectionFront(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ConnectionFront::~ConnectionFront() {
  Stop();
  metrics::Registry::Default().RemoveGauge(impl_->gauge_id);
}

arrow::Result<std::unique_ptr<ConnectionFront>> ConnectionFront::Listen(const std::string& host, int port,
                                                                        const config::HttpConfig& limits,
                                                                        Serve serve) {
  auto impl = std::make_unique<Impl>();
  impl->limits = limits;
  impl->serve = std::move(serve);
  ARROW_ASSIGN_OR_RAISE(impl->listen_fd, ListenSocket(host, port));
  sockaddr_storage local{};
  socklen_t len = sizeof(local);
  std::string ip;
  getsockname(impl->listen_fd, reinterpret_cast<sockaddr*>(&local), &len);
  Describe(local, len, &ip, &impl->port);
  impl->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  impl->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (impl->epoll_fd < 0 || impl->wake_fd < 0) {
    return arrow::Status::IOError("HTTP API: ", std::strerror(errno));
  }
  Impl* raw = impl.get();
  impl->gauge_id = metrics::Registry::Default().AddGauge(
      "homer_http_connections", "Open HTTP connections: waiting for (or reading) a request, or being served.",
      {"state"}, [raw] {
        const int serving = raw->serving;
        return metrics::GaugeSamples{{{"waiting"}, static_cast<double>(std::max(0, raw->open - serving))},
                                     {{"serving"}, static_cast<double>(serving)}};
      });
  return std::unique_ptr<ConnectionFront>(new ConnectionFront(std::move(impl)));
}

int ConnectionFront::port() const { return impl_->port; }

int ConnectionFront::listen_fd() const { return impl_->listen_fd; }

void ConnectionFront::Start() {
  impl_->pool = std::make_unique<httplib::ThreadPool>(impl_->limits.threads);
  impl_->Watch(impl_->listen_fd, EPOLL_CTL_ADD);
  impl_->Watch(impl_->wake_fd, EPOLL_CTL_ADD);
  impl_->loop = std::thread([impl = impl_.get()] { impl->Run(); });
}

void ConnectionFront::Stop() {
  if (!impl_->loop.joinable()) return;
  impl_->stopping = true;
  impl_->loop.join();
  impl_->pool->shutdown();  // waits for the requests being served
  for (auto& [fd, client] : impl_->clients) ::close(fd);
  impl_->clients.clear();
}

}  // namespace homer::http
