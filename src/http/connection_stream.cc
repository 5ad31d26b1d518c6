#include "http/connection_stream.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace homer::http {

bool ConnectionStream::is_writable() const {
  pollfd p{conn_.fd, POLLOUT, 0};
  return ::poll(&p, 1, write_timeout_ms_) > 0 && (p.revents & POLLOUT);
}

ssize_t ConnectionStream::read(char* ptr, size_t size) {
  const size_t n = std::min(size, end_ - pos_);
  std::memcpy(ptr, conn_.buffer.data() + pos_, n);
  pos_ += n;
  return static_cast<ssize_t>(n);  // 0 past the request's end: as if the client closed
}

ssize_t ConnectionStream::write(const char* ptr, size_t size) {
  size_t sent = 0;
  while (sent < size) {
    const ssize_t n = ::send(conn_.fd, ptr + sent, size - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // A reader that takes no bytes for a whole write timeout is dropped; a long result is not.
      if (!is_writable()) return -1;
    } else {
      return -1;
    }
  }
  return static_cast<ssize_t>(sent);
}

void ConnectionStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  ip = conn_.remote_ip;
  port = conn_.remote_port;
}

void ConnectionStream::get_local_ip_and_port(std::string& ip, int& port) const {
  ip = conn_.local_ip;
  port = conn_.local_port;
}

}  // namespace homer::http
