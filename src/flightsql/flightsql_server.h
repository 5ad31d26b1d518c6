#pragma once
/// \file
/// The Arrow Flight SQL server on flightsql_server.host:port (only when enabled): gRPC listener,
/// token middleware (Bearer or Basic, always required), optional TLS, and the FlightSqlService.
///
/// TLS certificates are renewed without restarting the process: a watcher notices a changed
/// certificate or key file, checks the new pair on a throw-away listener, then replaces the
/// listener on the port (Arrow's gRPC server binds without SO_REUSEPORT, so the two cannot
/// overlap: calls running then get the usual 2 s shutdown grace, and connections attempted in
/// the short gap are refused and retried by clients). A pair that cannot be served is logged
/// and the previous one kept.

#include <arrow/flight/types.h>
#include <arrow/result.h>

#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "engine/engine.h"

namespace homer::flightsql {

struct FlightSqlServerOptions {
  std::string host = "0.0.0.0";
  int port = 50055;   ///< 0 picks a free port (see FlightSqlServer::port)
  std::string token;  ///< required: Flight SQL never serves without one
  int64_t max_message_size = 16 * 1024 * 1024;
  bool tls = false;
  std::string tls_cert;  ///< PEM certificate chain file
  std::string tls_key;   ///< PEM private key file
  /// Cast result columns Grafana cannot show to ones it can (grafana_cast.h).
  bool grafana_casts = false;
  /// How often the certificate files are checked for renewal.
  std::chrono::milliseconds tls_reload_interval = std::chrono::seconds(5);
};

class FlightSqlService;

class FlightSqlServer {
 public:
  static arrow::Result<std::unique_ptr<FlightSqlServer>> Start(engine::Engine* engine, FlightSqlServerOptions options);
  ~FlightSqlServer();

  int port() const { return port_; }
  /// Stop accepting calls, give running ones a moment, then cancel them.
  void Stop();

 private:
  FlightSqlServer(engine::Engine* engine, FlightSqlServerOptions options);
  /// A listening service on `port` (a free one when 0) serving `pair` when TLS is on.
  arrow::Result<std::unique_ptr<FlightSqlService>> Listen(int port, const arrow::flight::CertKeyPair& pair);
  /// Serve `pair` instead of the current one on the same port.
  arrow::Status Renew(const arrow::flight::CertKeyPair& pair);
  void WatchCertificates();
  std::filesystem::file_time_type CertificateStamp() const;

  engine::Engine* engine_;
  FlightSqlServerOptions options_;
  int port_ = 0;
  std::mutex mutex_;  ///< guards service_ and stopped_
  std::unique_ptr<FlightSqlService> service_;
  arrow::flight::CertKeyPair pair_;  ///< the TLS pair being served
  bool stopped_ = false;
  std::condition_variable stop_cv_;
  std::thread watcher_;
};

}  // namespace homer::flightsql
