#include "ingest/tcp_receiver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "ingest/capture_thread.h"
#include "ingest/tcp_framer.h"

namespace homer::ingest {
namespace {

constexpr size_t kReadBytes = 64 * 1024;
constexpr int kReadsPerWake = 4;  // per connection and wake-up, so one busy sender cannot starve the rest
constexpr int kMaxEvents = 256;
constexpr int64_t kAcceptPauseMs = 100;

std::string PeerText(const sockaddr_storage& addr) {
  char host[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (addr.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
    ::inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
    port = ntohs(a->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
    ::inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
    port = ntohs(a->sin6_port);
  }
  return HostPort(host, port);
}

}  // namespace

struct TcpReceiver::Connection {
  Connection(int fd, size_t max_frame, std::string peer) : fd(fd), framer(max_frame), peer(std::move(peer)) {}
  UniqueFd fd;
  TcpFramer framer;
  std::string peer;
  int64_t last_active_ms = 0;
};

arrow::Result<std::unique_ptr<TcpReceiver>> TcpReceiver::Start(const config::IngestConfig& config, PacketQueue* queue,
                                                               IngestStats* stats) {
  std::unique_ptr<TcpReceiver> r(new TcpReceiver());
  ARROW_ASSIGN_OR_RAISE(r->listener_, BindSocket("ingest.tcp", config.tcp.host, config.tcp.port, SOCK_STREAM));
  ARROW_ASSIGN_OR_RAISE(r->waker_, Waker::Make());
  r->epoll_ = UniqueFd(::epoll_create1(EPOLL_CLOEXEC));
  if (r->epoll_.get() < 0) return arrow::Status::IOError("ingest.tcp: cannot create an epoll: ", std::strerror(errno));
  for (int fd : {r->listener_.get(), r->waker_.fd()}) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    if (::epoll_ctl(r->epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) {
      return arrow::Status::IOError("ingest.tcp: epoll_ctl failed: ", std::strerror(errno));
    }
  }
  r->port_ = LocalPort(r->listener_.get());
  r->queue_ = queue;
  r->stats_ = stats;
  r->max_packet_bytes_ = static_cast<size_t>(std::max<int64_t>(config.max_packet_bytes, 1));
  r->max_connections_ = static_cast<size_t>(std::max(config.tcp.max_connections, 1));
  r->idle_ms_ = std::max<int64_t>(config.tcp.idle_timeout_sec, 0) * 1000;
  r->read_buffer_.resize(kReadBytes);
  spdlog::info("ingest.tcp: listening on {} (at most {} connections)", HostPort(config.tcp.host, r->port_),
               r->max_connections_);
  r->thread_ = std::thread([p = r.get()] {
    BecomeCaptureThread("hep-tcp");
    p->Run();
  });
  return r;
}

TcpReceiver::~TcpReceiver() { Stop(); }

void TcpReceiver::Stop() {
  if (!thread_.joinable()) return;
  waker_.Wake();
  thread_.join();
  while (!connections_.empty()) Close(connections_.begin()->first, true);
  listener_.reset();
}

void TcpReceiver::Run() {
  // Idle connections are looked for a few times per timeout, at most every second.
  const int tick_ms = idle_ms_ > 0 ? static_cast<int>(std::clamp<int64_t>(idle_ms_ / 4, 20, 1000)) : 1000;
  std::vector<epoll_event> events(kMaxEvents);
  int64_t next_sweep = MonotonicMillis() + tick_ms;
  while (true) {
    const int n = ::epoll_wait(epoll_.get(), events.data(), kMaxEvents, tick_ms);
    if (n < 0 && errno != EINTR) {
      spdlog::error("ingest.tcp: epoll_wait failed: {}", std::strerror(errno));
      return;
    }
    const int64_t now = MonotonicMillis();
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == waker_.fd()) return;
      if (fd == listener_.get()) AcceptAll(now);
      else ReadFrom(fd, now);
    }
    if (now >= next_sweep) {
      SweepIdle(now);
      next_sweep = now + tick_ms;
    }
  }
}

void TcpReceiver::PauseAccepting(int64_t now_ms) {
  // Out of descriptors: the pending connection stays in the backlog and the listener stays
  // readable, so leave it off epoll for a moment instead of spinning.
  if (!accept_paused_) {
    spdlog::warn("ingest.tcp: cannot accept: {}; pausing {} ms", std::strerror(errno), kAcceptPauseMs);
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, listener_.get(), nullptr);
  }
  accept_paused_ = true;
  resume_accept_ms_ = now_ms + kAcceptPauseMs;
}

void TcpReceiver::AcceptAll(int64_t now_ms) {
  while (true) {
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    const int fd = ::accept4(listener_.get(), reinterpret_cast<sockaddr*>(&addr), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) PauseAccepting(now_ms);
      return;  // EAGAIN: no more waiting
    }
    if (connections_.size() >= max_connections_) {
      stats_->TcpRefused();
      ::close(fd);
      continue;
    }
    auto c = std::make_unique<Connection>(fd, max_packet_bytes_, PeerText(addr));
    c->last_active_ms = now_ms;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.fd = fd;
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) {
      spdlog::warn("ingest.tcp: cannot watch a connection from {}: {}", c->peer, std::strerror(errno));
      continue;  // c closes the descriptor
    }
    spdlog::debug("ingest.tcp: connection from {}", c->peer);
    connections_.emplace(fd, std::move(c));
    stats_->TcpOpened();
  }
}

void TcpReceiver::ReadFrom(int fd, int64_t now_ms) {
  auto it = connections_.find(fd);
  if (it == connections_.end()) return;  // closed earlier in this batch of events
  Connection* c = it->second.get();
  std::vector<uint8_t>& buffer = read_buffer_;
  for (int i = 0; i < kReadsPerWake; ++i) {
    const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
    if (n > 0) {
      c->last_active_ms = now_ms;
      if (!Consume(c, buffer.data(), static_cast<size_t>(n))) return;
      if (static_cast<size_t>(n) < buffer.size()) return;  // drained: epoll says when there is more
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n < 0) spdlog::debug("ingest.tcp: connection from {} failed: {}", c->peer, std::strerror(errno));
    Close(fd, true);  // end of stream or error
    return;
  }
}

bool TcpReceiver::Consume(Connection* c, const uint8_t* data, size_t size) {
  std::vector<std::span<const uint8_t>>& frames = frames_;
  std::vector<PacketView>& views = views_;
  const auto outcome = c->framer.Feed({data, size}, &frames);
  const int64_t now_us = NowMicros();
  views.clear();
  uint64_t bytes = 0;
  for (const auto& f : frames) {
    views.push_back({f, now_us});
    bytes += f.size();
  }
  stats_->Received(Transport::kTcp, views.size(), bytes);
  stats_->Dropped(DropReason::kQueueFull, views.size() - queue_->TryPushBatch(views, Transport::kTcp));
  if (outcome == TcpFramer::Outcome::kOk) return true;
  // The bad packet counts as received and dropped; the stream after it is lost.
  const bool too_large = outcome == TcpFramer::Outcome::kTooLarge;
  stats_->Received(Transport::kTcp, 1, 0);
  stats_->Dropped(too_large ? DropReason::kTooLarge : DropReason::kTcpOutOfSync);
  spdlog::debug("ingest.tcp: closing the connection from {}: {}", c->peer,
                too_large ? "a packet longer than ingest.max_packet_bytes" : "bytes that do not start a HEP3 packet");
  Close(c->fd.get(), false);
  return false;
}

void TcpReceiver::Close(int fd, bool count_partial) {
  auto it = connections_.find(fd);
  if (it == connections_.end()) return;
  if (count_partial && it->second->framer.buffered() > 0) {
    stats_->Received(Transport::kTcp, 1, it->second->framer.buffered());
    stats_->Dropped(DropReason::kTruncated);
  }
  stats_->TcpClosed();  // counted before the peer can see the close
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
  connections_.erase(it);
}

void TcpReceiver::SweepIdle(int64_t now_ms) {
  if (accept_paused_ && now_ms >= resume_accept_ms_) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = listener_.get();
    accept_paused_ = ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, listener_.get(), &ev) != 0;
  }
  if (idle_ms_ <= 0) return;
  std::vector<int> idle;
  for (const auto& [fd, c] : connections_) {
    if (now_ms - c->last_active_ms >= idle_ms_) idle.push_back(fd);
  }
  for (int fd : idle) {
    spdlog::debug("ingest.tcp: closing the connection from {}: silent for ingest.tcp.idle_timeout_sec",
                  connections_[fd]->peer);
    Close(fd, true);
  }
}

}  // namespace homer::ingest
