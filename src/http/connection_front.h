#pragma once
/// \file
/// The HTTP API's front: one epoll thread accepts connections and reads each request (headers and
/// body) into memory before a worker thread serves it, so clients that trickle bytes or sit idle
/// hold a buffer, never one of the `http.threads` workers. It caps connections in total and per
/// client address and cuts requests that miss their deadlines; every refusal and close is counted
/// in homer_http_connections_closed_total{reason}. Pipelined requests are served in order.

#include <arrow/result.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "config/server_config.h"
#include "http/connection_stream.h"

namespace homer::http {

class ConnectionFront {
 public:
  /// Serve the complete request at the start of conn.buffer (`end` bytes) on a worker; `last`
  /// asks to close the connection after it. Returns whether the connection stays open.
  using Serve = std::function<bool(const Connection& conn, size_t end, bool last)>;

  /// Bind and listen; nothing is accepted before Start().
  static arrow::Result<std::unique_ptr<ConnectionFront>> Listen(const std::string& host, int port,
                                                                const config::HttpConfig& limits, Serve serve);
  ~ConnectionFront();

  int port() const;
  int listen_fd() const;
  /// Start the event loop and the workers.
  void Start();
  /// Stop accepting, close waiting connections, wait for the requests being served.
  void Stop();

 private:
  struct Impl;
  explicit ConnectionFront(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace homer::http
