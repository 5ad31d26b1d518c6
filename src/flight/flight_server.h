#pragma once
/// \file
/// The Arrow Flight server on flight_server.host:port: gRPC listener, bearer-token middleware
/// and the FlightService.

#include <arrow/result.h>

#include <memory>
#include <string>

#include "engine/engine.h"
#include "flight/table_scan.h"

namespace homer::flight {

struct FlightServerOptions {
  std::string host = "0.0.0.0";
  int port = 50051;      ///< 0 picks a free port (see FlightServer::port)
  std::string token;     ///< "" serves without authentication
  int64_t max_message_size = 16 * 1024 * 1024;  ///< no data message sent is larger
  ScanOptions scan;
};

class FlightService;

class FlightServer {
 public:
  /// Listen and serve on gRPC's threads until Stop.
  static arrow::Result<std::unique_ptr<FlightServer>> Start(engine::Engine* engine, FlightServerOptions options);
  ~FlightServer();

  int port() const;
  /// Stop accepting calls, give running ones a moment, then cancel them.
  void Stop();

 private:
  FlightServer() = default;
  std::unique_ptr<FlightService> service_;
  bool stopped_ = false;
};

}  // namespace homer::flight
