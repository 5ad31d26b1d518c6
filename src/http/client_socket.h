#pragma once
/// \file
/// The connection a request arrived on, so that a query whose client closed it is stopped even
/// before its first row (the engine's watchdog asks ClientSocket::Gone). cpp-httplib 0.11 does
/// not hand the socket to handlers, so it is found among the process's sockets by the request's
/// two addresses.

#include <httplib.h>
#include <sys/socket.h>

#include <optional>

namespace homer::http {

class ClientSocket {
 public:
  /// The request's socket, or nullopt when none matches (the client already left).
  static std::optional<ClientSocket> Find(const httplib::Request& req);

  /// True once the client closed its side (or the descriptor now belongs to another peer).
  /// Cheap: a getpeername and a zero-timeout poll.
  bool Gone() const;

 private:
  ClientSocket(int fd, const sockaddr_storage& peer, socklen_t peer_len) : fd_(fd), peer_(peer), peer_len_(peer_len) {}
  int fd_;
  sockaddr_storage peer_;
  socklen_t peer_len_;
};

}  // namespace homer::http
