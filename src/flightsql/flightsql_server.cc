#include "flightsql/flightsql_server.h"

#include <arrow/flight/server_auth.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>

#include "flightsql/flightsql_service.h"
#include "rpc/auth_middleware.h"
#include "rpc/handler_fence.h"

namespace homer::flightsql {
namespace {

arrow::Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return arrow::Status::IOError("cannot read '", path, "'");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

arrow::Result<arrow::flight::CertKeyPair> ReadPair(const FlightSqlServerOptions& options) {
  arrow::flight::CertKeyPair pair;
  ARROW_ASSIGN_OR_RAISE(pair.pem_cert, ReadFile(options.tls_cert));
  ARROW_ASSIGN_OR_RAISE(pair.pem_key, ReadFile(options.tls_key));
  return pair;
}

void Shutdown(FlightSqlService* service) {
  auto st = rpc::ShutdownAndWait(service, std::chrono::seconds(2));
  if (!st.ok()) spdlog::warn("Flight SQL server shutdown: {}", st.ToString());
}

}  // namespace

FlightSqlServer::FlightSqlServer(engine::Engine* engine, FlightSqlServerOptions options)
    : engine_(engine), options_(std::move(options)) {}

arrow::Result<std::unique_ptr<FlightSqlServer>> FlightSqlServer::Start(engine::Engine* engine,
                                                                       FlightSqlServerOptions options) {
  if (options.token.empty()) return arrow::Status::Invalid("Flight SQL needs a token (auth::ResolveToken)");
  if (options.max_message_size <= 0) return arrow::Status::Invalid("max_message_size must be positive");
  if (options.tls && (options.tls_cert.empty() || options.tls_key.empty())) {
    return arrow::Status::Invalid("flightsql_server.tls_enable needs tls_cert and tls_key");
  }
  std::unique_ptr<FlightSqlServer> server(new FlightSqlServer(engine, std::move(options)));
  if (server->options_.tls) {
    ARROW_ASSIGN_OR_RAISE(server->pair_, ReadPair(server->options_));
  }
  ARROW_ASSIGN_OR_RAISE(server->service_, server->Listen(server->options_.port, server->pair_));
  server->port_ = server->service_->port();
  if (server->options_.tls) server->watcher_ = std::thread([s = server.get()] { s->WatchCertificates(); });
  spdlog::info("Arrow Flight SQL listening on {}:{}{}", server->options_.host, server->port_,
               server->options_.tls ? " with TLS" : "");
  return server;
}

arrow::Result<std::unique_ptr<FlightSqlService>> FlightSqlServer::Listen(int port,
                                                                         const arrow::flight::CertKeyPair& pair) {
  arrow::flight::Location location;
  if (options_.tls) {
    ARROW_ASSIGN_OR_RAISE(location, arrow::flight::Location::ForGrpcTls(options_.host, port));
  } else {
    ARROW_ASSIGN_OR_RAISE(location, arrow::flight::Location::ForGrpcTcp(options_.host, port));
  }
  arrow::flight::FlightServerOptions server_options(location);
  if (options_.tls) server_options.tls_certificates.push_back(pair);
  // Handshake must succeed for clients doing Basic auth; the credentials themselves are checked
  // by the middleware, which also hands back the bearer.
  server_options.auth_handler = std::make_shared<arrow::flight::NoOpAuthHandler>();
  server_options.middleware.emplace_back("auth", std::make_shared<rpc::TokenAuthFactory>(options_.token, /*accept_basic=*/true));
  rpc::AddHandlerFence(&server_options);
  auto service = std::make_unique<FlightSqlService>(engine_, options_.max_message_size, options_.grafana_casts);
  ARROW_RETURN_NOT_OK(service->Init(server_options));
  return service;
}

std::filesystem::file_time_type FlightSqlServer::CertificateStamp() const {
  std::error_code ec1, ec2;
  auto cert = std::filesystem::last_write_time(options_.tls_cert, ec1);
  auto key = std::filesystem::last_write_time(options_.tls_key, ec2);
  if (ec1 || ec2) return {};
  return std::max(cert, key);
}

void FlightSqlServer::WatchCertificates() {
  auto stamp = CertificateStamp();
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_cv_.wait_for(lock, options_.tls_reload_interval, [this] { return stopped_; })) {
    const auto now = CertificateStamp();
    if (now == stamp || now == std::filesystem::file_time_type{}) continue;
    stamp = now;
    auto pair = ReadPair(options_);
    auto st = pair.ok() ? Renew(*pair) : pair.status();
    if (st.ok()) {
      spdlog::info("Flight SQL: serving the renewed certificate from {}", options_.tls_cert);
    } else {
      spdlog::error("Flight SQL: renewed certificate not served: {}", st.ToString());
    }
  }
}

arrow::Status FlightSqlServer::Renew(const arrow::flight::CertKeyPair& pair) {
  // A pair gRPC refuses (key not matching, bad PEM) must not take the port down: try it first.
  ARROW_ASSIGN_OR_RAISE(auto probe, Listen(0, pair));
  Shutdown(probe.get());
  Shutdown(service_.get());
  auto fresh = Listen(port_, pair);
  if (fresh.ok()) {
    service_ = std::move(*fresh);
    pair_ = pair;
    return arrow::Status::OK();
  }
  // Put the previous pair back; should even that fail, the port stays closed until the next renewal.
  auto previous = Listen(port_, pair_);
  if (previous.ok()) service_ = std::move(*previous);
  return fresh.status().WithMessage("kept the previous certificate: ", fresh.status().message());
}

FlightSqlServer::~FlightSqlServer() { Stop(); }

void FlightSqlServer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopped_ || !service_) return;
    stopped_ = true;
  }
  stop_cv_.notify_all();
  if (watcher_.joinable()) watcher_.join();
  Shutdown(service_.get());
}

}  // namespace homer::flightsql
