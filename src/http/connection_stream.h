#pragma once
/// \file
/// A client connection as the front hands it to a worker, and the httplib Stream a worker serves
/// one request through: reads come from the bytes the front buffered (never wait on the client),
/// writes go to the socket with a deadline per write.

#include <httplib.h>

#include <string>

namespace homer::http {

/// One accepted client connection. The front owns it; a worker borrows it to serve requests.
struct Connection {
  int fd = -1;  ///< non-blocking
  std::string remote_ip, local_ip;
  int remote_port = 0, local_port = 0;
  std::string buffer;   ///< received and not yet served: the next request(s)
  size_t requests = 0;  ///< served so far
};

class ConnectionStream : public httplib::Stream {
 public:
  /// Reads see conn.buffer[0, request_end) only: never the next pipelined request.
  ConnectionStream(const Connection& conn, size_t request_end, int write_timeout_ms)
      : conn_(conn), end_(request_end), write_timeout_ms_(write_timeout_ms) {}

  bool is_readable() const override { return pos_ < end_; }
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return conn_.fd; }

 private:
  const Connection& conn_;
  size_t end_;
  size_t pos_ = 0;
  int write_timeout_ms_;
};

}  // namespace homer::http
