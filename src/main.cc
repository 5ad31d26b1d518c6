/// \file
/// Wiring only: parse the command line, load the config, start the engine and the surfaces.

#include <spdlog/spdlog.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "common/auth.h"
#include "config/config_loader.h"
#include "engine/engine.h"
#include "engine/memory_bounds.h"
#include "flight/flight_server.h"
#include "flightsql/flightsql_server.h"
#include "http/http_server.h"
#include "ingest/ingest_service.h"
#include "lake/demo_lake.h"
#include "lake/volume.h"
#include "lake/reader_epochs.h"
#include "logging/setup.h"
#include "policy/policy_status.h"
#include "policy/storage_policy.h"
#include "writer/capture_status.h"
#include "writer/writer.h"

namespace {

namespace fs = std::filesystem;
using homer::config::ServerConfig;

constexpr const char* kUsage = R"(homer-node: serves a DuckLake lakehouse of HEP capture data.

usage:
  homer-node --config FILE            serve the lake described by FILE
  homer-node --check-config FILE      validate FILE and exit (0: valid)
  homer-node demo [--dir DIR]         create a demo lake in DIR if absent (default ./demo) and serve it
                  [--port N] [--days N] [--calls N]
  homer-node demo-lake --dir DIR      write a synthetic HOMER lake (hot + cold volumes)
                  [--days N] [--hot-days N] [--calls N] [--seed N]
  homer-node --version
options:
  --extension-dir DIR   DuckDB extension bundle (default: the build's .deps/extensions)
)";

/// --key value pairs after the command word.
std::map<std::string, std::string> ParseFlags(int argc, char** argv, int first) {
  std::map<std::string, std::string> flags;
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) throw std::invalid_argument("unexpected argument '" + arg + "'");
    if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
    flags[arg.substr(2)] = argv[++i];
  }
  return flags;
}

std::string Flag(const std::map<std::string, std::string>& flags, const std::string& key, const std::string& def) {
  auto it = flags.find(key);
  return it == flags.end() ? def : it->second;
}

int Fail(const arrow::Status& st) {
  homer::logging::ReportFatal(st.message());
  return 1;
}

void WaitForSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  sigwait(&set, &sig);
  spdlog::info("signal {}: shutting down", sig);
}

/// The capture modules of the process (ingest -> writer), when enabled.
struct Capture {
  homer::duckdb::Database own_db;  ///< the writer's database when no node shares one (outlives it)
  homer::lake::ReaderEpochs readers;
  std::unique_ptr<homer::writer::Writer> writer;
  std::unique_ptr<homer::policy::StoragePolicy> policy;  ///< uses the writer's attach of the hot volume
  std::unique_ptr<homer::ingest::IngestService> ingest;  ///< destroyed first: it writes to `writer`
  std::function<void()> on_catalog_changed;  ///< the node's refresh, once there is a node

  homer::writer::WriterOptions WriterOptions(const ServerConfig& config) {
    homer::writer::WriterOptions options;
    options.storage = config.storage.ducklake;
    options.volume_name = config.storage.volume_name;
    options.readers = config.enable ? &readers : nullptr;
    return options;
  }
  arrow::Status OpenStorage(const ServerConfig& config, const homer::duckdb::Database& db) {
    ARROW_ASSIGN_OR_RAISE(writer, homer::writer::Writer::Open(db, WriterOptions(config)));
    homer::policy::PolicyOptions options;
    options.storage = config.storage.ducklake;
    options.lake_name = config.storage.ducklake.lake_name;
    options.hot_catalog = writer->lake_catalog();
    options.on_catalog_changed = [this] {
      if (on_catalog_changed) on_catalog_changed();
    };
    ARROW_ASSIGN_OR_RAISE(policy, homer::policy::StoragePolicy::Open(db, std::move(options)));
    return arrow::Status::OK();
  }
  arrow::Status StartIngest(const ServerConfig& config) {
    if (!config.ingest.enable) return arrow::Status::OK();
    ARROW_ASSIGN_OR_RAISE(ingest, homer::ingest::IngestService::Start(config.ingest, writer.get()));
    return arrow::Status::OK();
  }
  /// Ingest stops first and hands what it queued to the writer, which then flushes it all.
  void Stop() {
    if (ingest) ingest->Stop();
    if (policy) policy->Stop();
    if (writer) {
      auto st = writer->Stop();
      if (!st.ok()) {
        spdlog::error("writer: final flush failed; the journal keeps the rows for the next start: {}", st.message());
      }
    }
  }
};

arrow::Status StartWriterAlone(const ServerConfig& config, const std::string& extension_dir, Capture* capture) {
  homer::duckdb::DatabaseOptions db_options;
  db_options.extension_dir = extension_dir;
  const auto& tuning = config.storage.ducklake.tuning;
  db_options.threads = tuning.threads;
  db_options.memory_limit = tuning.memory_limit.empty() ? config.ducklake.memory_limit : tuning.memory_limit;
  db_options.temp_directory = tuning.temp_directory;
  std::vector<homer::config::VolumeConfig> volumes = {homer::config::StorageVolume(config.storage.ducklake, "")};
  for (const auto& v : config.storage.ducklake.storage_policy.volumes) volumes.push_back(v.volume);
  for (auto& extension : homer::lake::VolumeExtensions(volumes)) db_options.extensions.push_back(extension);
  ARROW_ASSIGN_OR_RAISE(capture->own_db, homer::duckdb::OpenDatabase(db_options));
  return capture->OpenStorage(config, capture->own_db);
}

int Serve(const ServerConfig& config, const std::string& extension_dir) {
  // Before any database opens: the bounds hold for every DuckDB database of the process.
  if (auto st = homer::engine::ApplyMemoryBounds(config.ducklake); !st.ok()) return Fail(st);
  Capture capture;
  std::unique_ptr<homer::engine::Engine> engine;
  std::unique_ptr<homer::http::HttpServer> server;
  std::unique_ptr<homer::flight::FlightServer> flight_server;
  std::unique_ptr<homer::flightsql::FlightSqlServer> flightsql_server;
  if (config.enable) {
    homer::engine::EngineOptions options;
    options.extension_dir = extension_dir;
    options.refresh_interval_sec = config.flightsql_server.catalog_refresh_interval_sec;
    options.mirror_catalogs = config.ducklake.mirror_catalogs;
    options.mirror_interval_ms = config.ducklake.mirror_interval_ms;
    if (config.storage.enable) {
      // All-in-one: the writer shares the engine's database, so its buffer is readable.
      options.on_open = [&](const homer::duckdb::Database& db) -> arrow::Status {
        return capture.OpenStorage(config, db);
      };
      options.write_buffers[config.storage.volume_name] =
          homer::writer::Writer::BufferCatalogName(config.storage.ducklake);
      options.readers = &capture.readers;
    }
    auto opened = homer::engine::Engine::Open(config, options);
    if (!opened.ok()) return Fail(opened.status());
    engine = std::move(*opened);
    if (capture.writer) {
      capture.on_catalog_changed = [e = engine.get()] {
        auto st = e->Refresh();
        if (!st.ok()) spdlog::warn("catalog refresh after a catalog change failed: {}", st.message());
      };
      capture.writer->OnTablesChanged(capture.on_catalog_changed);
      capture.policy->Start();
    }
    // Receivers before the query surfaces: once /health answers, HEP is accepted too.
    if (auto st = capture.StartIngest(config); !st.ok()) return Fail(st);
    auto tokens = homer::auth::ResolveNodeTokens(config);
    if (!tokens.ok()) return Fail(tokens.status());

    homer::flight::FlightServerOptions flight;
    flight.host = config.flight_server.host;
    flight.port = config.flight_server.port;
    flight.token = tokens->node;
    flight.max_message_size = config.flight_server.max_message_size;
    auto started_flight = homer::flight::FlightServer::Start(engine.get(), flight);
    if (!started_flight.ok()) return Fail(started_flight.status());
    flight_server = std::move(*started_flight);

    if (config.flightsql_server.enable) {
      const auto& fsql = config.flightsql_server;
      homer::flightsql::FlightSqlServerOptions fsql_options;
      fsql_options.host = fsql.host;
      fsql_options.port = fsql.port;
      fsql_options.token = tokens->flightsql;
      fsql_options.max_message_size = config.flight_server.max_message_size;
      fsql_options.tls = fsql.tls_enable;
      fsql_options.tls_cert = fsql.tls_cert;
      fsql_options.tls_key = fsql.tls_key;
      fsql_options.grafana_casts = fsql.grafana_cast_types;
      auto started = homer::flightsql::FlightSqlServer::Start(engine.get(), fsql_options);
      if (!started.ok()) return Fail(started.status());
      flightsql_server = std::move(*started);
    }
    // HTTP last: /health is what load balancers check, so it answers once every surface listens.
    homer::http::HttpServerOptions http;
    http.host = config.flight_server.host;
    http.port = config.http_port();
    http.token = tokens->node;
    http.limits = config.http;
    http.flight_address = config.flight_server.host + ":" + std::to_string(config.flight_server.port);
    if (config.storage.enable) {
      http.capture_stats = [&capture] {
        return homer::writer::CaptureStatsJson(capture.ingest.get(), *capture.writer);
      };
      http.writer_health = [&capture] { return homer::writer::WriterHealthJson(*capture.writer); };
      http.storage_policy_stats = [&capture] { return homer::policy::PolicyStatsJson(*capture.policy); };
    }
    auto started_http = homer::http::HttpServer::Start(engine.get(), http);
    if (!started_http.ok()) return Fail(started_http.status());
    server = std::move(*started_http);
  } else if (config.storage.enable) {
    if (auto st = StartWriterAlone(config, extension_dir, &capture); !st.ok()) return Fail(st);
    capture.policy->Start();
    if (auto st = capture.StartIngest(config); !st.ok()) return Fail(st);
  }
  WaitForSignal();
  capture.Stop();
  if (flightsql_server) flightsql_server->Stop();
  if (flight_server) flight_server->Stop();
  if (server) server->Stop();
  capture.policy.reset();  // connections go before the database they use
  capture.writer.reset();
  return 0;
}

int RunDemoLake(const std::map<std::string, std::string>& flags, const std::string& extension_dir,
                homer::lake::DemoLakeLayout* layout) {
  homer::lake::DemoLakeOptions options;
  options.dir = Flag(flags, "dir", "demo");
  options.days = std::stoi(Flag(flags, "days", "7"));
  options.hot_days = std::stoi(Flag(flags, "hot-days", "2"));
  options.calls_per_day = std::stoll(Flag(flags, "calls", "2000"));
  options.seed = std::stoull(Flag(flags, "seed", "42"));
  options.extension_dir = extension_dir;
  options.progress = [](const std::string& line) { std::cout << line << std::endl; };
  auto result = homer::lake::GenerateDemoLake(options);
  if (!result.ok()) return Fail(result.status());
  *layout = *result;
  std::cout << "demo lake written to " << fs::absolute(options.dir).string() << ": " << result->rows_written
            << " rows" << std::endl;
  return 0;
}

int RunDemo(std::map<std::string, std::string> flags, const std::string& extension_dir) {
  const std::string dir = fs::absolute(Flag(flags, "dir", "demo")).string();
  flags["dir"] = dir;
  const int port = std::stoi(Flag(flags, "port", "50051"));
  const std::string config_path = dir + "/homer-node.json";
  if (!homer::lake::DemoLakeExists(dir)) {
    homer::lake::DemoLakeLayout layout;
    if (int rc = RunDemoLake(flags, extension_dir, &layout); rc != 0) return rc;
    std::ofstream(config_path) << homer::lake::DemoNodeConfig(layout, port);
  }
  auto config = homer::config::LoadConfig(config_path, homer::config::ProcessEnvironment());
  if (!config.ok()) return Fail(config.status());
  homer::logging::ConfigureLogging(config->log);
  const int http_port = config->http_port();
  if (config->log.format == homer::config::LogConfig::Format::kJson) {  // the banner is not a log line
    spdlog::info("serving the demo lake (config {}, HTTP port {})", config_path, http_port);
    return Serve(*config, extension_dir);
  }
  std::cout << "\nServing the demo lake (config " << config_path << ").\nTry:\n"
            << "  curl -s http://127.0.0.1:" << http_port << "/api/v4/node/stats\n"
            << "  curl -s -X POST http://127.0.0.1:" << http_port
            << "/api/v4/node/query -d '{\"sql\": \"SELECT method, count(*) AS n FROM homer_lake.main.hep_proto_1_call "
               "GROUP BY ALL ORDER BY n DESC\"}'\n"
            << "Stop with Ctrl-C.\n"
            << std::endl;
  return Serve(*config, extension_dir);
}

}  // namespace

int main(int argc, char** argv) {
  // Signals are taken by sigwait on the main thread; every other thread inherits the mask.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    std::cout << kUsage;
    return argc < 2 ? 2 : 0;
  }
  const std::string command = argv[1];
  if (command == "--version") {
    std::cout << "homer-node " << HOMER_NODE_VERSION << std::endl;
    return 0;
  }
  try {
    const bool is_flag_command = command.rfind("--", 0) == 0;
    auto flags = ParseFlags(argc, argv, is_flag_command ? 1 : 2);
    const std::string extension_dir = Flag(flags, "extension-dir", HOMER_NODE_DEFAULT_EXTENSION_DIR);
    flags.erase("extension-dir");
    if (command == "--config" || command == "--check-config") {
      auto config = homer::config::LoadConfig(flags.at(command.substr(2)), homer::config::ProcessEnvironment());
      if (!config.ok()) return Fail(config.status());
      if (command == "--check-config") {
        std::cout << "config OK: node " << (config->enable ? "on" : "off") << " ("
                  << config->ducklake.volumes.size() << " volume(s), lake " << config->ducklake.lake_name
                  << "), ingest " << (config->ingest.enable ? "on" : "off") << ", storage "
                  << (config->storage.enable ? "on" : "off") << std::endl;
        return 0;
      }
      homer::logging::ConfigureLogging(config->log);
      return Serve(*config, extension_dir);
    }
    if (command == "demo") return RunDemo(flags, extension_dir);
    if (command == "demo-lake") {
      if (!flags.count("dir")) throw std::invalid_argument("demo-lake needs --dir");
      homer::lake::DemoLakeLayout layout;
      return RunDemoLake(flags, extension_dir, &layout);
    }
    throw std::invalid_argument("unknown command '" + command + "'");
  } catch (const std::exception& e) {
    homer::logging::ReportFatal(e.what(), std::string("\n") + kUsage);
    return 2;
  }
}
