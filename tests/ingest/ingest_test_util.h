#pragma once
/// \file
/// Sinks and socket clients for the receiver tests (real sockets on 127.0.0.1).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "config/server_config.h"
#include "ingest/ingest_service.h"
#include "ingest/record_sink.h"

namespace homer::ingest::testing_util {

using namespace std::chrono_literals;

/// Keeps every record; can hold Write (to fill the queue) or fail it.
class CollectingSink : public RecordSink {
 public:
  arrow::Status Write(std::vector<CaptureRecord>& batch) override {
    std::unique_lock lock(mutex_);
    ++writes_in_progress_;
    changed_.notify_all();
    changed_.wait(lock, [this] { return !hold_; });
    --writes_in_progress_;
    ++writes_;
    if (fail_) return arrow::Status::IOError("disk on fire");
    for (auto& r : batch) records_.push_back(std::move(r));
    changed_.notify_all();
    return arrow::Status::OK();
  }

  void Hold() {
    std::lock_guard lock(mutex_);
    hold_ = true;
  }
  void Release() {
    std::lock_guard lock(mutex_);
    hold_ = false;
    changed_.notify_all();
  }
  void Fail() {
    std::lock_guard lock(mutex_);
    fail_ = true;
  }
  /// Wait until a Write is held.
  bool WaitHeld(std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [this] { return writes_in_progress_ > 0; });
  }
  bool WaitRecords(size_t n, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return records_.size() >= n; });
  }
  std::vector<CaptureRecord> records() {
    std::lock_guard lock(mutex_);
    return records_;
  }
  std::set<std::string> session_ids() {
    std::lock_guard lock(mutex_);
    std::set<std::string> out;
    for (const auto& r : records_) out.insert(r.session_id);
    return out;
  }
  size_t size() {
    std::lock_guard lock(mutex_);
    return records_.size();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool hold_ = false, fail_ = false;
  int writes_in_progress_ = 0, writes_ = 0;
  std::vector<CaptureRecord> records_;
};

/// Every receiver on 127.0.0.1, any free port.
inline config::IngestConfig LocalConfig() {
  config::IngestConfig c;
  c.enable = true;
  c.udp.host = c.tcp.host = c.http.host = "127.0.0.1";
  c.udp.port = c.tcp.port = c.http.port = 0;
  c.udp.receive_buffer_bytes = 4 * 1024 * 1024;
  c.tcp.enable = true;
  c.queue_size = 10000;
  return c;
}

/// Poll `done` until true or the timeout.
inline bool Eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = 10s) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return done();
}

inline uint64_t Dropped(const IngestCounters& c, DropReason r) { return c.dropped[static_cast<int>(r)]; }

inline uint64_t AllDropped(const IngestCounters& c) {
  uint64_t n = 0;
  for (uint64_t d : c.dropped) n += d;
  return n;
}

inline uint64_t AllReceived(const IngestCounters& c) { return c.received_udp + c.received_tcp + c.received_http; }

inline sockaddr_in Loopback(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

class UdpClient {
 public:
  explicit UdpClient(int port) : fd_(::socket(AF_INET, SOCK_DGRAM, 0)), to_(Loopback(port)) {}
  ~UdpClient() { ::close(fd_); }
  bool Send(const std::string& bytes) {
    return ::sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr*>(&to_), sizeof(to_)) ==
           static_cast<ssize_t>(bytes.size());
  }

 private:
  int fd_;
  sockaddr_in to_;
};

class TcpClient {
 public:
  explicit TcpClient(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    const sockaddr_in to = Loopback(port);
    connected_ = ::connect(fd_, reinterpret_cast<const sockaddr*>(&to), sizeof(to)) == 0;
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  ~TcpClient() { Close(); }
  bool connected() const { return connected_; }
  bool Send(const std::string& bytes) {
    size_t off = 0;
    while (off < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }
  /// True when the server closed the connection within the timeout (read returns 0 or an error).
  bool WaitClosedByServer(std::chrono::milliseconds timeout = 5s) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
    char c;
    return ::recv(fd_, &c, 1, 0) <= 0;
  }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
  bool connected_ = false;
};

}  // namespace homer::ingest::testing_util
