#include "flight/flight_server.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "flight/flight_service.h"
#include "rpc/auth_middleware.h"
#include "rpc/handler_fence.h"

namespace homer::flight {

arrow::Result<std::unique_ptr<FlightServer>> FlightServer::Start(engine::Engine* engine, FlightServerOptions options) {
  if (options.max_message_size <= 0) return arrow::Status::Invalid("max_message_size must be positive");
  ARROW_ASSIGN_OR_RAISE(auto location, arrow::flight::Location::ForGrpcTcp(options.host, options.port));
  arrow::flight::FlightServerOptions server_options(location);
  server_options.middleware.emplace_back("auth", std::make_shared<rpc::TokenAuthFactory>(options.token, /*accept_basic=*/false));
  rpc::AddHandlerFence(&server_options);
  std::unique_ptr<FlightServer> server(new FlightServer());
  server->service_ = std::make_unique<FlightService>(engine, options.max_message_size, options.scan);
  ARROW_RETURN_NOT_OK(server->service_->Init(server_options));
  // Before Start returns, so before /health answers (main.cc starts HTTP last): a node a load
  // balancer marks up must not hold its first Flight calls while it lists the catalog (seconds
  // on a loaded fleet node over PostgreSQL, during which least-connections routing avoids it).
  const auto listing_start = std::chrono::steady_clock::now();
  if (auto tables = server->service_->ListTables(); tables.ok()) {
    spdlog::info("Flight catalog listed: {} tables in {} ms", *tables,
                 std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                       listing_start).count());
  } else {
    spdlog::warn("Flight catalog not listed at start (the first call lists it): {}", tables.status().ToString());
  }
  spdlog::info("Arrow Flight (plain + Airport) listening on {}:{}{}", options.host, server->port(),
               options.token.empty() ? " without authentication" : "");
  return server;
}

FlightServer::~FlightServer() { Stop(); }

int FlightServer::port() const { return service_->port(); }

void FlightServer::Stop() {
  if (stopped_ || !service_) return;
  stopped_ = true;
  auto st = rpc::ShutdownAndWait(service_.get(), std::chrono::seconds(2));
  if (!st.ok()) spdlog::warn("Flight server shutdown: {}", st.ToString());
}

}  // namespace homer::flight
