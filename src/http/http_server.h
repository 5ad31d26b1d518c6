#pragma once
/// \file
/// The HTTP JSON API on the Flight port + 1: the /api/v4/node routes and the original node's
/// /query, /health, /vacuum and /metadata/stats.

#include <arrow/result.h>

#include <functional>
#include <memory>
#include <string>

#include "config/server_config.h"

namespace homer::engine {
class Engine;
}

namespace homer::http {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;       ///< 0 picks a free port
  std::string token;  ///< "" leaves every route open
  config::HttpConfig limits;
  std::string flight_address;  ///< reported by /api/v4/node/stats
  /// The capture modules (ingest, writer) of the same process as JSON object text: under
  /// "capture" in /api/v4/node/stats and "writer" in /health. Unset without them.
  std::function<std::string()> capture_stats;
  std::function<std::string()> writer_health;
  std::function<std::string()> storage_policy_stats;  ///< JSON text, for GET /api/v4/node/stats
};

class HttpServer {
 public:
  /// Bind and start serving on background threads.
  static arrow::Result<std::unique_ptr<HttpServer>> Start(engine::Engine* engine, HttpServerOptions options);
  ~HttpServer();

  int port() const;
  void Stop();

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace homer::http
