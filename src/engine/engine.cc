#include "engine/engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

#include "config/catalog.h"
#include "duckdb/sql_text.h"
#include "duckdb/statement.h"
#include "engine/catalog_mirrors.h"
#include "engine/connection_pool.h"
#include "engine/query_metrics.h"
#include "engine/sandbox.h"
#include "metrics/registry.h"

namespace homer::engine {
namespace {

using duckdb::Connect;
using duckdb::Exec;
using duckdb::QuoteIdent;
using duckdb::QuoteLiteral;
using lake::DataPrefix;

metrics::Family<metrics::Counter>& AttachFailures() {
  static auto& family = metrics::Registry::Default().AddCounter(
      "homer_volume_attach_failures_total", "Failed attempts to attach a volume (at start and on retries).", {"volume"});
  return family;
}

metrics::Family<metrics::Counter>& FilesRead() {
  static auto& family = metrics::Registry::Default().AddCounter(
      "homer_files_read_total", "Data files opened by profiled queries (HTTP v4 API), by volume.", {"volume"});
  return family;
}

metrics::Family<metrics::Counter>& SnapshotPins() {
  static auto& family = metrics::Registry::Default().AddCounter(
      "homer_pinned_queries_total",
      "Queries of tickets pinned to a snapshot: pinned, or unpinned (run on the current snapshot).", {"outcome"});
  return family;
}

/// DuckLake's error for an AT (VERSION => n) that names no snapshot it has.
bool IsMissingSnapshot(const arrow::Status& st) {
  return st.message().find("No snapshot found at version") != std::string::npos;
}

std::string TempDirectory(const config::ServerConfig& config) {
  if (!config.ducklake.temp_directory.empty()) return config.ducklake.temp_directory;
  return (std::filesystem::path(config::LocalDirectory(config.ducklake.volumes.front())) / ".duckdb_spill").string();
}

}  // namespace

Engine::Engine(config::ServerConfig config, EngineOptions options)
    : config_(std::move(config)), options_(std::move(options)) {}

arrow::Result<std::unique_ptr<Engine>> Engine::Open(const config::ServerConfig& config, EngineOptions options) {
  std::unique_ptr<Engine> engine(new Engine(config, std::move(options)));
  duckdb::DatabaseOptions db_options;
  db_options.extension_dir = engine->options_.extension_dir;
  db_options.threads = config.ducklake.threads;
  db_options.memory_limit = config.ducklake.memory_limit;
  db_options.temp_directory = TempDirectory(config);
  db_options.max_temp_directory_size = config.ducklake.max_temp_directory_size;
  db_options.parquet_metadata_cache = config.ducklake.parquet_metadata_cache;
  for (auto& extension : lake::VolumeExtensions(config.ducklake.volumes)) db_options.extensions.push_back(extension);
  ARROW_ASSIGN_OR_RAISE(engine->db_, duckdb::OpenDatabase(db_options));
  if (engine->options_.on_open) ARROW_RETURN_NOT_OK(engine->options_.on_open(engine->db_));
  if (engine->options_.mirror_catalogs) {
    ARROW_ASSIGN_OR_RAISE(engine->mirrors_,
                          CatalogMirrors::Make(engine->db_, TempDirectory(config),
                                               std::chrono::milliseconds(engine->options_.mirror_interval_ms)));
  }
  ARROW_RETURN_NOT_OK(engine->AttachAll());
  ARROW_RETURN_NOT_OK(engine->Refresh());

  SandboxPaths paths;
  if (engine->mirrors_) paths.allowed_directories.push_back(engine->mirrors_->work_dir() + "/");
  for (const auto& v : engine->volumes_) {
    paths.allowed_directories.push_back(DataPrefix(v.config));
    // The settings are locked from here on: a volume attached later must be allowed now.
    // (A postgres catalog has no file; it cannot attach once external access is off, see AttachVolume.)
    if (!v.attached && !v.config.catalog_path.empty()) paths.allowed_directories.push_back(v.config.catalog_path);
  }
  // Per-connection settings are frozen by the sandbox, so query connections are made first.
  ARROW_ASSIGN_OR_RAISE(engine->pool_, ConnectionPool::Make(engine->db_, config.ducklake.max_concurrent_queries,
                                                            {"SET enable_profiling = 'no_output'"}));
  ARROW_ASSIGN_OR_RAISE(auto con, Connect(engine->db_));
  ARROW_RETURN_NOT_OK(ApplySandboxSettings(con, paths));

  engine->AddGauges();
  if (engine->mirrors_) engine->mirrors_->Start();
  if (engine->options_.refresh_interval_sec > 0) {
    engine->refresher_ = std::thread([e = engine.get()] { e->RefreshLoop(); });
  }
  return engine;
}

Engine::~Engine() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (refresher_.joinable()) refresher_.join();
  for (uint64_t id : gauges_) metrics::Registry::Default().RemoveGauge(id);
}

void Engine::AddGauges() {
  auto& r = metrics::Registry::Default();
  const auto one = [](double v) { return metrics::GaugeSamples{{{}, v}}; };
  gauges_.push_back(r.AddGauge("homer_queries_running", "Queries running now.", {},
                               [this, one] { return one(static_cast<double>(running_queries())); }));
  gauges_.push_back(r.AddGauge("homer_queries_waiting", "Queries waiting for a free query slot.", {},
                               [this, one] { return one(static_cast<double>(waiting_queries())); }));
  gauges_.push_back(r.AddGauge("homer_catalog_version", "Version of the merged catalog (moves when tables change).",
                               {}, [this, one] { return one(static_cast<double>(catalog_version())); }));
  gauges_.push_back(r.AddGauge("homer_catalog_refreshes", "Catalog refreshes run since the start.", {},
                               [this, one] { return one(static_cast<double>(refreshes())); }));
  gauges_.push_back(r.AddGauge("homer_volume_attached", "1 when the volume is attached, 0 when it is not.",
                               {"volume"}, [this] {
                                 metrics::GaugeSamples out;
                                 for (const auto& v : volumes()) out.push_back({{v.config.name}, v.attached ? 1.0 : 0.0});
                                 return out;
                               }));
}

size_t Engine::waiting_queries() const { return pool_ ? pool_->waiting() : 0; }

arrow::Status Engine::AttachAll() {
  ARROW_ASSIGN_OR_RAISE(auto con, Connect(db_));
  // The catalogs the writer of this process attached (on_open) are read live, not mirrored.
  ARROW_ASSIGN_OR_RAISE(written_here_, duckdb::QueryColumn(con, "SELECT substr(path, 8) FROM duckdb_databases() "
                                                                "WHERE type = 'ducklake' AND path LIKE 'sqlite:%'"));
  const auto& lake = config_.ducklake;
  for (size_t rank = 0; rank < lake.volumes.size(); ++rank) {
    const auto& v = lake.volumes[rank];
    VolumeState state;
    state.config = v;
    state.catalog = lake::CatalogName(lake.lake_name, v.name);
    auto st = AttachOne(con, rank, state.catalog);
    state.attached = st.ok();
    if (!st.ok()) AttachFailures().With({v.name}).Add();
    if (!st.ok()) {
      state.error = st.message();
      spdlog::error("skipping {}", state.error);
    } else {
      spdlog::info("volume '{}' attached as {} (catalog {}, data {})", v.name, state.catalog, config::CatalogLabel(v),
                   DataPrefix(v));
    }
    merged_ = merged_ || state.catalog != lake.lake_name || !options_.write_buffers.empty();
    volumes_.push_back(std::move(state));
  }
  size_t attached = 0;
  for (const auto& v : volumes_) attached += v.attached ? 1 : 0;
  if (attached == 0) {
    std::string why;
    for (const auto& v : volumes_) why += "\n  " + v.error;
    return arrow::Status::IOError("no volume could be attached:", why);
  }
  if (merged_) ARROW_RETURN_NOT_OK(Exec(con, "ATTACH ':memory:' AS " + QuoteIdent(lake.lake_name)));
  return arrow::Status::OK();
}

arrow::Status Engine::AttachOne(const duckdb::Connection& con, size_t rank, const std::string& catalog) {
  const auto& v = config_.ducklake.volumes[rank];
  const bool written_here = std::any_of(written_here_.begin(), written_here_.end(), [&](const std::string& path) {
    std::error_code ec;
    return std::filesystem::weakly_canonical(path, ec) == std::filesystem::weakly_canonical(v.catalog_path, ec);
  });
  if (mirrors_ && v.catalog_type == config::CatalogType::kSqlite && !written_here) {
    auto st = mirrors_->Add(con, v, catalog, rank);
    if (st.ok()) return st;
    if (std::filesystem::exists(v.catalog_path)) {
      spdlog::warn("volume '{}': no private copy of its catalog ({}); reading the live catalog", v.name, st.message());
    }
  }
  return lake::AttachVolume(con, v, catalog, /*read_only=*/true);
}

bool Engine::RetryDetached() {
  // volumes_ is in configuration order (AttachAll): its index is the volume's rank.
  const std::vector<VolumeState> all = volumes();
  if (std::all_of(all.begin(), all.end(), [](const VolumeState& v) { return v.attached; })) return false;
  auto con = Connect(db_);
  if (!con.ok()) return false;
  bool any = false;
  for (size_t rank = 0; rank < all.size(); ++rank) {
    const auto& v = all[rank];
    if (v.attached) continue;
    const arrow::Status st = AttachOne(*con, rank, v.catalog);
    {
      std::lock_guard lock(volumes_mutex_);  // alone: /metrics reads volumes() under its own lock
      volumes_[rank].attached = st.ok();
      volumes_[rank].error = st.ok() ? "" : st.message();
    }
    if (st.ok()) spdlog::info("volume '{}' attached as {} on a retry", v.config.name, v.catalog);
    else AttachFailures().With({v.config.name}).Add();
    any = any || st.ok();
  }
  return any;
}

std::vector<lake::MergedVolume> Engine::MergedVolumes() const {
  std::vector<lake::MergedVolume> out;
  for (const auto& v : volumes()) {
    auto buffer = options_.write_buffers.find(v.config.name);
    out.push_back({v.config.name, v.catalog, v.attached ? "" : v.error,
                   buffer == options_.write_buffers.end() ? "" : buffer->second, /*moves_into=*/""});
  }
  return out;
}

arrow::Status Engine::Refresh() {
  std::lock_guard lock(refresh_mutex_);
  if (mirrors_) mirrors_->Sync();  // what a refresh reads is the catalogs as they are now
  RetryDetached();
  ARROW_ASSIGN_OR_RAISE(auto con, Connect(db_));
  std::vector<lake::MergedVolume> merged_volumes = MergedVolumes();
  ARROW_RETURN_NOT_OK(lake::LinkMoves(con, &merged_volumes));
  ARROW_ASSIGN_OR_RAISE(auto tables, lake::ReadMergedTables(con, merged_volumes));
  std::string signature;
  for (const auto& v : merged_volumes) {
    signature += v.not_attached.empty() ? "" : "!" + v.label + ";";
    signature += v.moves_into.empty() ? "" : v.label + ">" + v.moves_into + ";";
  }
  for (const auto& t : tables) {
    signature += t.name + "(";
    for (const auto& [label, columns] : t.volume_columns) {
      signature += label + ":";
      for (const auto& [name, type] : columns) signature += name + " " + type + ",";
    }
    signature += ")";
  }
  std::vector<std::string> left_out;
  if (config_.ducklake.partial_answers) {
    // Partial answers: the views leave out a volume that is not attached (instead of a branch
    // that fails the query), pinned reads too; PartialFor marks every query of them.
    for (const auto& v : merged_volumes) {
      if (!v.not_attached.empty()) left_out.push_back(v.label);
    }
    std::erase_if(merged_volumes, [](const lake::MergedVolume& v) { return !v.not_attached.empty(); });
  }
  ++refreshes_;
  {
    std::lock_guard layout_lock(layout_mutex_);
    layout_ = std::make_shared<const LakeLayout>(LakeLayout{lake_name(), merged_, merged_volumes, tables});
  }
  if (signature == catalog_signature_) return arrow::Status::OK();
  if (merged_) ARROW_RETURN_NOT_OK(lake::WriteMergedViews(con, lake_name(), merged_volumes, tables));
  {
    // Once the views are committed: a query that still reads the old list is marked with a
    // volume its views may already hold, never the reverse (volumes attach, never detach).
    std::lock_guard volumes_lock(volumes_mutex_);
    left_out_ = std::move(left_out);
  }
  catalog_signature_ = std::move(signature);
  ++catalog_version_;
  spdlog::info("catalog version {}: {} tables in the merged lake {}", catalog_version_.load(), tables.size(),
               lake_name());
  return arrow::Status::OK();
}

void Engine::RefreshLoop() {
  std::unique_lock lock(stop_mutex_);
  const auto interval = std::chrono::seconds(options_.refresh_interval_sec);
  while (!stop_cv_.wait_for(lock, interval, [this] { return stopping_; })) {
    lock.unlock();
    auto st = Refresh();
    if (!st.ok()) spdlog::warn("catalog refresh failed (keeping the previous catalog): {}", st.message());
    lock.lock();
  }
}

arrow::Result<std::unique_ptr<QueryStream>> Engine::Execute(const std::string& sql, const QueryParameters& parameters,
                                                            ExecuteOptions options) {
  auto start = [&]() -> arrow::Result<std::unique_ptr<QueryStream>> {
    std::vector<TableRef> tables;
    ARROW_ASSIGN_OR_RAISE(auto con, Admit(sql, options.profile, &tables));
    // Before the pin reads the layout and the query its views: both hold at least these volumes.
    PartialAnswer partial = PartialFor(tables);
    std::string text = sql;  // the sandbox checked what the client sent; pinning adds only our own SQL
    std::optional<std::vector<std::string>> names;
    if (options.pin && !options.pin->empty()) {
      text = PinnedText(sql, tables, *options.pin);
      const bool renamed = std::any_of(tables.begin(), tables.end(), [](const TableRef& t) { return t.in_expression; });
      if (text != sql && renamed) {
        ARROW_ASSIGN_OR_RAISE(names, ColumnNames(con.get(), sql));
      }
    }
    ARROW_ASSIGN_OR_RAISE(auto query, QueryStream::Start(std::move(con), text, &parameters,
                                                         MakeQueryContext(options, std::move(partial))));
    if (names) ARROW_RETURN_NOT_OK(query->RenameColumns(*names));
    return query;
  };
  auto started = start();
  if (!started.ok() && options.pin && IsMissingSnapshot(started.status())) {
    // This node's copy of a catalog may not have reached the pinned snapshot yet.
    if (mirrors_) mirrors_->Sync();
    started = start();
    if (!started.ok() && IsMissingSnapshot(started.status())) {
      started = ExplainMissingSnapshot(started.status(), *options.pin);
    }
  }
  if (!started.ok() && options.pin && started.status().message().find("Binder Error") != std::string::npos) {
    // The views' columns are today's: a column added since the pinned snapshot is not there.
    spdlog::warn("a pinned ticket runs on the current snapshot: {}", started.status().message());
    SnapshotPins().With({"unpinned"}).Add();
    options.pin.reset();
    started = start();
  }
  if (!started.ok()) CountRefusedQuery(options.surface, started.status());
  return started;
}

arrow::Result<lake::SnapshotPin> Engine::Pin() {
  auto layout = this->layout();
  std::vector<std::string> catalogs;
  std::vector<std::pair<std::string, std::string>> buffer_tables;
  auto plain = [](const std::string& name) { return name.find_first_of("\t\n") == std::string::npos; };
  for (const auto& v : volumes()) {
    if (!v.attached) continue;
    if (!plain(v.catalog)) return lake::SnapshotPin{};  // cannot travel in a ticket: unpinned
    catalogs.push_back(v.catalog);
    auto buffer = options_.write_buffers.find(v.config.name);
    if (buffer == options_.write_buffers.end() || !layout) continue;
    for (const auto& t : layout->tables) {
      if (!t.buffer_columns.count(v.config.name)) continue;
      if (!plain(t.name) || !plain(buffer->second)) return lake::SnapshotPin{};
      buffer_tables.emplace_back(buffer->second, t.name);
    }
  }
  if (catalogs.empty()) return lake::SnapshotPin{};
  // Held before it is read: a flush committed after this point cannot clear what the pin sees.
  if (options_.readers && !buffer_tables.empty()) options_.readers->Hold(kPinHold);
  // A pooled connection: opening one costs more than the read (every attached catalog).
  ARROW_ASSIGN_OR_RAISE(auto con, pool_->Acquire(QueryWait(), /*profiled=*/false));
  ARROW_ASSIGN_OR_RAISE(auto rows, duckdb::QueryRows(con.get(), lake::CurrentPinSql(catalogs, buffer_tables)));
  return lake::PinFromRows(rows);
}

std::string Engine::PinnedText(const std::string& sql, const std::vector<TableRef>& tables,
                               const lake::SnapshotPin& pin) {
  auto layout = this->layout();
  if (!layout) return sql;
  auto pinned = PinnedSql(sql, tables, *layout, pin);
  SnapshotPins().With({pinned ? "pinned" : "unpinned"}).Add();
  if (!pinned) spdlog::warn("a pinned ticket runs on the current snapshot: a table reference of it was not found");
  return pinned ? *pinned : sql;
}

arrow::Status Engine::ExplainMissingSnapshot(const arrow::Status& st, const lake::SnapshotPin& pin) {
  auto con = Connect(db_);
  if (!con.ok()) return st;
  for (const auto& [catalog, version] : pin.versions) {
    auto now = duckdb::QueryValue(*con, "SELECT id FROM ducklake_current_snapshot($1)", {catalog});
    if (!now.ok() || std::stoll(*now) >= version) continue;
    return arrow::Status::IOError("this node has not seen snapshot ", version, " of ", catalog,
                                  " yet (it is at ", *now, "): try again");  // retryable
  }
  return arrow::Status::Invalid("the snapshot this ticket was issued for is no longer kept (expired by compaction): ",
                                "call GetFlightInfo again (", st.message(), ")");
}

arrow::Result<std::vector<std::string>> Engine::ColumnNames(const duckdb::Connection& con, const std::string& sql) {
  // A column named after an expression that holds a rewritten reference would carry the rewrite.
  ARROW_ASSIGN_OR_RAISE(auto statement, duckdb::Statement::Prepare(con, sql));
  ARROW_ASSIGN_OR_RAISE(auto schema, statement->PreparedSchema());
  return schema->field_names();
}

std::chrono::milliseconds Engine::QueryWait() const {
  return std::chrono::milliseconds(static_cast<int64_t>(config_.ducklake.query_wait_sec) * 1000);
}

std::shared_ptr<const LakeLayout> Engine::layout() const {
  std::lock_guard lock(layout_mutex_);
  return layout_;
}

arrow::Result<Engine::StatementShape> Engine::Describe(const std::string& sql) {
  std::vector<TableRef> tables;
  ARROW_ASSIGN_OR_RAISE(auto con, Admit(sql, /*profiled=*/false, &tables));
  ARROW_ASSIGN_OR_RAISE(auto query,
                        QueryStream::Start(std::move(con), sql, nullptr, MakeQueryContext({}, PartialFor(tables))));
  return StatementShape{query->schema(), query->parameter_schema()};
}

arrow::Result<PooledConnection> Engine::Admit(const std::string& sql, bool profiled, std::vector<TableRef>* tables) {
  ARROW_RETURN_NOT_OK(CheckSqlText(sql));
  ARROW_ASSIGN_OR_RAISE(auto con, pool_->Acquire(QueryWait(), profiled));
  ARROW_RETURN_NOT_OK(checked_queries_.Check(con.get(), sql, tables));
  return con;
}

PartialAnswer Engine::PartialFor(const std::vector<TableRef>& tables) const {
  PartialAnswer partial;
  if (!config_.ducklake.partial_answers || !merged_) return partial;
  {
    // Read before the query's transaction starts (QueryStream::Start): the views it binds are
    // those of this list or newer ones, which only ever hold more volumes.
    std::lock_guard lock(volumes_mutex_);
    for (const auto& name : left_out_) {
      auto v = std::find_if(volumes_.begin(), volumes_.end(),
                            [&](const VolumeState& s) { return s.config.name == name; });
      partial.missing.push_back({name, v == volumes_.end() || v->attached ? "attached since" : v->error});
    }
  }
  // A query that does not read the merged lake (a volume's own catalog, a table function) is
  // complete; one filtered on storage_volume is marked although it may not need the volume.
  if (!partial.missing.empty() && !NamesCatalog(tables, lake_name())) partial.missing.clear();
  return partial;
}

QueryContext Engine::MakeQueryContext(const ExecuteOptions& options, PartialAnswer partial) {
  QueryContext context;
  context.partial = std::move(partial);
  context.surface = options.surface;
  context.client_gone = options.client_gone;
  context.registry = &registry_;
  context.readers = options_.readers;
  context.timeout = std::chrono::seconds(config_.ducklake.query_timeout_sec);
  context.attribute_files = [this](QueryProfile* p) { AttributeFiles(p); };
  context.explain_error = [this](const arrow::Status& st) { return ExplainError(st); };
  return context;
}

void Engine::AttributeFiles(QueryProfile* profile) const {
  const auto volumes = this->volumes();
  for (const auto& v : volumes) {
    if (v.attached) profile->files_read_by_volume[v.config.name] = 0;
  }
  for (const auto& scan : profile->scans) {
    for (const auto& v : volumes) {
      if (v.attached && !scan.first_file.empty() && scan.first_file.rfind(DataPrefix(v.config), 0) == 0) {
        profile->files_read_by_volume[v.config.name] += scan.files_read;
        FilesRead().With({v.config.name}).Add(static_cast<double>(scan.files_read));
      }
    }
  }
}

arrow::Status Engine::ExplainError(const arrow::Status& st) const {
  if (st.ok()) return st;
  std::string redacted = st.message();  // errors never carry S3 keys or catalog passwords
  for (const auto& v : volumes()) redacted = lake::WithoutSecrets(redacted, v.config);
  for (const auto& v : volumes()) {
    std::string message = redacted;
    if (!v.attached && lake::IsNotAttachedError(message, v.config.name)) {
      // Storage that is missing, not a bad query: retryable (HTTP 503, Flight UNAVAILABLE).
      const std::string prefix = "Invalid Input Error: ";
      if (message.rfind(prefix, 0) == 0) message.erase(0, prefix.size());
      return arrow::Status::IOError(message);
    }
    if (!v.attached && message.find('"' + v.catalog + '"') != std::string::npos) {  // its catalog is unknown
      return arrow::Status::IOError(message, " (volume '", v.config.name, "' is not attached: ", v.error, ")");
    }
    if (!lake::ErrorMentionsVolume(message, v.config)) continue;
    // Storage errors name the volume, its endpoint and the likely fix.
    std::string where = "volume '" + v.config.name + "' (" + DataPrefix(v.config);
    if (v.config.type == config::VolumeType::kS3) {
      where += ", S3 endpoint " + (v.config.s3_endpoint.empty() ? std::string("AWS") : v.config.s3_endpoint);
    }
    return arrow::Status(st.code(), where + "): " + message + lake::StorageErrorHint(message, v.config));
  }
  return redacted == st.message() ? st : st.WithMessage(redacted);
}

arrow::Result<std::pair<int64_t, int64_t>> Engine::HepTimestampRange() {
  ARROW_ASSIGN_OR_RAISE(auto con, Connect(db_));
  ARROW_ASSIGN_OR_RAISE(auto tables,
                        duckdb::QueryColumn(con, "SELECT DISTINCT table_name FROM duckdb_columns() WHERE database_name = " +
                                                   QuoteLiteral(lake_name()) +
                                                   " AND schema_name = 'main' AND column_name = 'timestamp' AND "
                                                   "table_name LIKE 'hep\\_proto\\_%' ESCAPE '\\' ORDER BY 1"));
  if (tables.empty()) return std::make_pair(int64_t{0}, int64_t{0});
  std::string sql = "SELECT coalesce(epoch_ns(min(lo)), 0), coalesce(epoch_ns(max(hi)), 0) FROM (";
  for (size_t i = 0; i < tables.size(); ++i) {
    sql += i ? " UNION ALL " : "";
    sql += "SELECT min(\"timestamp\") AS lo, max(\"timestamp\") AS hi FROM " +
           duckdb::QualifiedName(lake_name(), "main", tables[i]);
  }
  ARROW_ASSIGN_OR_RAISE(auto rows, duckdb::QueryRows(con, sql + ")"));
  return std::make_pair(std::stoll(rows.at(0).at(0)), std::stoll(rows.at(0).at(1)));
}

std::vector<VolumeState> Engine::volumes() const {
  std::lock_guard lock(volumes_mutex_);
  return volumes_;
}

}  // namespace homer::engine
