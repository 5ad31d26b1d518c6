#pragma once
/// \file
/// The connection a request arrived on, so that a query whose client closed it is stopped even
/// before its first row (the engine's watchdog asks ClientSocket::Gone). cpp-httplib 0.11 does
/// not hand the socket to handlers, so it is found among the process's sockets by the request's
/// two addresses: a scan of /proc/self/fd, done at the first Gone(), which the watchdog only asks
/// of a query that has run for its poll interval (a short query never pays for it).

#include <httplib.h>
#include <sys/socket.h>

#include <string>

namespace homer::http {

class ClientSocket {
 public:
  /// Remembers the request's addresses.
  explicit ClientSocket(const httplib::Request& req)
      : remote_addr_(req.remote_addr), remote_port_(req.remote_port), local_port_(req.local_port) {}

  /// True once the client closed its side (or the descriptor now belongs to another peer).
  /// False when no socket matches the addresses. For one caller at a time (the watchdog).
  bool Gone();

 private:
  /// Look for the socket; false when none matches.
  bool Find();

  std::string remote_addr_;
  int remote_port_;
  int local_port_;
  bool looked_ = false;
  int fd_ = -1;
  sockaddr_storage peer_{};
  socklen_t peer_len_ = 0;
};

}  // namespace homer::http
