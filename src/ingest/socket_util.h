#pragma once
/// \file
/// The few POSIX socket pieces the receivers share: an owned descriptor, binding with errors that
/// name the config section, and an eventfd to wake a thread blocked in poll/epoll for Stop().

#include <arrow/result.h>

#include <string>
#include <string_view>

namespace homer::ingest {

/// An owned file descriptor, closed on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  int release();
  void reset();

 private:
  int fd_ = -1;
};

/// "host:port", with brackets around an IPv6 host ("[::]:9060").
std::string HostPort(const std::string& host, int port);

/// A non-blocking socket of `type` (SOCK_DGRAM, SOCK_STREAM) bound to host:port (port 0 = any
/// free port); stream sockets also listen. An IPv6 wildcard takes IPv4 as well. Errors name the
/// config section `key`: "ingest.udp: cannot bind 0.0.0.0:9060: Address already in use".
arrow::Result<UniqueFd> BindSocket(std::string_view key, const std::string& host, int port, int type);

/// The local port a socket is bound to.
int LocalPort(int fd);

/// An eventfd that a receive loop polls beside its socket: Wake() makes it readable for good.
class Waker {
 public:
  static arrow::Result<Waker> Make();
  void Wake();
  int fd() const { return fd_.get(); }

 private:
  UniqueFd fd_;
};

}  // namespace homer::ingest
