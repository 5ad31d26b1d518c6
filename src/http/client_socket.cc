#include "http/client_socket.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/stat.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace homer::http {
namespace {

/// Port and printable address of a socket address (IPv4 or IPv6).
bool Describe(const sockaddr_storage& a, int* port, std::string* host) {
  char text[INET6_ADDRSTRLEN] = {};
  if (a.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(a);
    *port = ntohs(in.sin_port);
    return inet_ntop(AF_INET, &in.sin_addr, text, sizeof(text)) && (*host = text, true);
  }
  if (a.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(a);
    *port = ntohs(in6.sin6_port);
    return inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof(text)) && (*host = text, true);
  }
  return false;
}

}  // namespace

bool ClientSocket::Find() {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return false;
  while (dirent* entry = readdir(dir)) {
    char* end = nullptr;
    const long fd = std::strtol(entry->d_name, &end, 10);
    struct stat st;
    if (*end != '\0' || fstat(static_cast<int>(fd), &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    sockaddr_storage local{}, peer{};
    socklen_t local_len = sizeof(local), peer_len = sizeof(peer);
    int local_port = 0, peer_port = 0;
    std::string local_host, peer_host;
    if (getsockname(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&local), &local_len) != 0 ||
        !Describe(local, &local_port, &local_host) || local_port != local_port_) {
      continue;
    }
    if (getpeername(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&peer), &peer_len) == 0 &&
        Describe(peer, &peer_port, &peer_host) && peer_port == remote_port_ && peer_host == remote_addr_) {
      fd_ = static_cast<int>(fd);
      peer_ = peer;
      peer_len_ = peer_len;
      break;
    }
  }
  closedir(dir);
  return fd_ >= 0;
}

bool ClientSocket::Gone() {
  if (!looked_) {
    looked_ = true;
    Find();
  }
  if (fd_ < 0) return false;
  sockaddr_storage now{};
  socklen_t len = sizeof(now);
  if (getpeername(fd_, reinterpret_cast<sockaddr*>(&now), &len) != 0 || len != peer_len_ ||
      std::memcmp(&now, &peer_, len) != 0) {
    return true;  // closed, or the descriptor was reused for another connection
  }
  pollfd p{fd_, POLLRDHUP, 0};
  return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

}  // namespace homer::http
