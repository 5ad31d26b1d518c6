#include "writer/writer.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>

#include "config/catalog.h"
#include "config/config_loader.h"
#include "duckdb/sql_text.h"
#include "lake/commit_gate.h"
#include "lake/sqlite_catalog.h"
#include "lake/volume.h"
#include "lake/write_buffer.h"
#include "metrics/registry.h"
#include "writer/journal.h"
#include "writer/table_buffer.h"
#include "writer/writer_metrics.h"

namespace homer::writer {
namespace {

namespace fs = std::filesystem;
using duckdb::Exec;
using duckdb::QualifiedName;
using duckdb::QuoteIdent;
using duckdb::QuoteLiteral;

std::string JournalPath(const config::StorageDuckLakeConfig& s) {
  if (!s.journal_path.empty()) return s.journal_path;
  return (fs::path(config::LocalDirectory(config::StorageVolume(s, ""))) / (s.lake_name + "_journal")).string();
}

}  // namespace

Writer::Writer(WriterOptions options) : options_(std::move(options)) {
  buffer_catalog_ = BufferCatalogName(options_.storage);
  lake_catalog_ = options_.storage.lake_name + "__writer";
}

Writer::~Writer() {
  if (commit_thread_.joinable() || flush_thread_.joinable()) (void)Stop();
  for (uint64_t id : gauges_) metrics::Registry::Default().RemoveGauge(id);
}

void Writer::OnTablesChanged(std::function<void()> callback) {
  std::lock_guard lock(mutex_);
  tables_changed_ = std::move(callback);
}

arrow::Result<std::unique_ptr<Writer>> Writer::Open(const duckdb::Database& db, WriterOptions options) {
  std::unique_ptr<Writer> writer(new Writer(std::move(options)));
  ARROW_RETURN_NOT_OK(writer->Attach(db));
  ARROW_RETURN_NOT_OK(writer->Recover());
  ARROW_RETURN_NOT_OK(writer->OpenSipTables());
  writer->AddGauges();
  writer->commit_thread_ = std::thread([w = writer.get()] {
    pthread_setname_np(pthread_self(), "writer-commit");
    w->CommitLoop();
  });
  writer->flush_thread_ = std::thread([w = writer.get()] {
    pthread_setname_np(pthread_self(), "writer-flush");
    w->FlushLoop();
  });
  return writer;
}

arrow::Status Writer::Attach(const duckdb::Database& db) {
  const auto& s = options_.storage;
  const config::VolumeConfig volume = config::StorageVolume(s, options_.volume_name);
  std::error_code ec;
  if (volume.type == config::VolumeType::kLocal) fs::create_directories(volume.path, ec);
  if (s.catalog_type == config::CatalogType::kSqlite) {
    fs::create_directories(fs::path(s.catalog_path).parent_path(), ec);
    // Readers hold the catalog's read lock for a whole query: in WAL mode they never block a commit.
    ARROW_RETURN_NOT_OK(lake::EnsureWalJournal(s.catalog_path));
  }
  ARROW_ASSIGN_OR_RAISE(append_con_, duckdb::Connect(db));
  ARROW_ASSIGN_OR_RAISE(flush_con_, duckdb::Connect(db));
  ARROW_RETURN_NOT_OK(lake::AttachVolume(append_con_, volume, lake_catalog_, /*read_only=*/false));
  // Always set: DuckLake's own default inlines small inserts into the catalog database, which
  // HOMER's 0 turns off (and the storage policy plans from data files).
  ARROW_RETURN_NOT_OK(Exec(append_con_, "CALL " + QuoteIdent(lake_catalog_) +
                                            ".set_option('data_inlining_row_limit', " +
                                            std::to_string(s.data_inlining_row_limit) + ")"));
  // The buffer is in memory; the journal makes it durable. (A DuckDB database file was measured
  // first: its WAL and checkpoints encoded every row twice more and capped ingest near 70K/s.)
  ARROW_RETURN_NOT_OK(Exec(append_con_, "ATTACH ':memory:' AS " + QuoteIdent(buffer_catalog_)));
  ARROW_RETURN_NOT_OK(Exec(append_con_, lake::CreateMarksSql(lake_catalog_)));
  const std::string journal = JournalPath(s);
  ARROW_ASSIGN_OR_RAISE(journal_, Journal::Open(journal));
  spdlog::info("writer: lake {} (catalog {}, data {}) as {}, journal {}", s.lake_name, config::CatalogLabel(volume),
               volume.path, lake_catalog_, journal);
  return arrow::Status::OK();
}

arrow::Status Writer::Recover() {
  // Every table's mark, read-write attachment: the latest commit.
  ARROW_ASSIGN_OR_RAISE(auto marks, duckdb::QueryRows(flush_con_, "SELECT table_name, max(seq) FROM " +
                                                                      QualifiedName(lake_catalog_, lake::kMarksSchema,
                                                                                    lake::kMarksTable) +
                                                                      " GROUP BY ALL"));
  std::map<std::string, int64_t> flushed;
  for (const auto& row : marks) flushed[row[0]] = std::stoll(row[1]);
  std::lock_guard lock(mutex_);
  int64_t replayed = 0;
  auto replay = [&](const std::string& name, int64_t seq, ingest::CaptureRecord&& record) -> arrow::Status {
    auto mark = flushed.find(name);
    if (mark != flushed.end() && seq <= mark->second) return arrow::Status::OK();  // in the lake already
    lake::HepSchema schema;
    if (!SchemaOfTable(name, &schema)) return arrow::Status::OK();
    ARROW_ASSIGN_OR_RAISE(TableBuffer * table, Table(name, schema));
    TableBuffer& t = *table;
    ARROW_RETURN_NOT_OK(t.layout.Append(record, seq, t.appender.get()));
    t.next_seq = std::max(t.next_seq, seq + 1);
    ++replayed;
    return arrow::Status::OK();
  };
  ARROW_RETURN_NOT_OK(journal_->Replay(replay));
  for (const auto& [name, seq] : flushed) {
    lake::HepSchema schema;
    if (!SchemaOfTable(name, &schema)) continue;
    ARROW_ASSIGN_OR_RAISE(TableBuffer * table, Table(name, schema));
    TableBuffer& t = *table;
    t.flushed_seq = seq;
    t.reclaimed_seq = seq;
    t.next_seq = std::max(t.next_seq, seq + 1);  // a sequence number is never used twice
  }
  for (auto& [name, t] : tables_) ARROW_RETURN_NOT_OK(CommitTable(*t));
  stats_.recovered_rows = replayed;
  if (replayed > 0) {
    spdlog::info("writer: {} rows of the journal were not in the lake yet: buffered again, flushed next", replayed);
    flush_requested_ = true;
  }
  return arrow::Status::OK();
}

arrow::Status Writer::OpenSipTables() {
  std::lock_guard lock(mutex_);
  for (auto sip : {lake::SipTable::kCall, lake::SipTable::kRegistration, lake::SipTable::kDefault}) {
    ARROW_RETURN_NOT_OK(Table(lake::HepTableName(1, sip), lake::HepSchemaFor(1, sip)).status());
  }
  return arrow::Status::OK();
}

arrow::Result<TableBuffer*> Writer::Table(const std::string& name, lake::HepSchema schema, bool* created) {
  if (auto it = tables_.find(name); it != tables_.end()) return it->second.get();
  ARROW_RETURN_NOT_OK(Exec(append_con_, lake::CreateBufferTableSql(buffer_catalog_, name, schema)));
  ARROW_ASSIGN_OR_RAISE(auto exists, duckdb::QueryValue(append_con_, "SELECT count(*) FROM duckdb_tables() WHERE "
                                                                     "database_name = $1 AND schema_name = 'main' AND "
                                                                     "table_name = $2",
                                                        {lake_catalog_, name}));
  if (exists == "0") {
    // Another writer of the same lake may create it at the same moment: a conflict is retried.
    arrow::Status st;
    for (int attempt = 0; attempt < 5; ++attempt) {
      {
        std::lock_guard gate(lake::CommitGate(options_.storage.catalog_path));
        st = Exec(append_con_, "BEGIN; " + lake::CreateHepTableSql(lake_catalog_, name, schema) + " COMMIT");
      }
      if (st.ok()) break;
      (void)Exec(append_con_, "ROLLBACK");
      if (st.message().find("already exists") != std::string::npos) {
        st = arrow::Status::OK();
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50 << attempt));
    }
    if (!st.ok()) return st.WithMessage("writer: cannot create ", name, " in the lake: ", st.message());
    spdlog::info("writer: created table {}", name);
  }
  auto table = std::make_unique<TableBuffer>();
  table->name = name;
  table->schema = schema;
  ARROW_ASSIGN_OR_RAISE(table->layout, RecordLayout::For(schema));
  ARROW_ASSIGN_OR_RAISE(table->appender, duckdb::ChunkAppender::Open(append_con_, buffer_catalog_, "main", name));
  if (created) *created = true;
  return (tables_[name] = std::move(table)).get();
}

arrow::Result<TableBuffer*> Writer::TableFor(const ingest::CaptureRecord& record, bool* created) {
  const auto sip = record.proto_type == 1 ? lake::SipTableFor(record.effective_method) : lake::SipTable::kDefault;
  // Per record: a lookup by (proto, SIP table), not a table name built and searched each time.
  TableBuffer*& route = routes_[{record.proto_type, static_cast<int>(sip)}];
  if (!route) {
    ARROW_ASSIGN_OR_RAISE(route, Table(lake::HepTableName(record.proto_type, sip),
                                       lake::HepSchemaFor(record.proto_type, sip), created));
  }
  return route;
}

arrow::Status Writer::Write(std::vector<ingest::CaptureRecord>& batch) {
  bool created = false;
  std::function<void()> notify;
  arrow::Status st;
  {
    std::lock_guard lock(mutex_);
    // Memory stays bounded when flushes fail (the lake's store is down) or a long query holds
    // flushed rows: ingest then counts the batch as writer_failed, and the log says why.
    int64_t held = 0;
    for (const auto& [name, t] : tables_) held += t->held_rows();
    if (held + static_cast<int64_t>(batch.size()) > kBufferHardLimitFactor * options_.storage.max_buffer_rows) {
      return BufferFull(held);
    }
    for (const auto& record : batch) {
      auto table = TableFor(record, &created);
      if (!table.ok()) {
        st = table.status();
        break;
      }
      TableBuffer& t = **table;
      journal_->Add(t.name, t.next_seq, record);
      st = t.layout.Append(record, t.next_seq, t.appender.get());
      if (!st.ok()) break;
      ++t.next_seq;
      // HOMER appends its batch to the buffer tables at batch_size rows: a commit here.
      if (t.appender->unflushed_rows() >= options_.storage.batch_size) st = CommitTable(t);
      if (!st.ok()) break;
    }
    // In the kernel before Write returns: a process killed from here on loses none of them.
    auto written = journal_->Write();
    if (st.ok()) st = written;
    if (created) notify = tables_changed_;
  }
  if (notify) notify();  // before the rows are committed, so the views read them once they are
  WriterMetrics::Get().appended.Add(static_cast<double>(batch.size()));
  {
    std::lock_guard lock(stats_mutex_);
    stats_.appended_rows += static_cast<int64_t>(batch.size());
  }
  return st;
}

arrow::Status Writer::BufferFull(int64_t held) {
  std::string why;
  {
    std::lock_guard lock(stats_mutex_);
    why = stats_.last_flush_error.empty() ? "flushed rows are kept for a query that started before their flush"
                                          : "flushes fail: " + stats_.last_flush_error;
  }
  return arrow::Status::IOError("writer: buffer full (", held, " rows, limit ",
                                kBufferHardLimitFactor * options_.storage.max_buffer_rows, "): ", why);
}

arrow::Status Writer::CommitTable(TableBuffer& t) {
  if (t.appender->unflushed_rows() > 0) {
    auto st = t.appender->Flush();
    if (!st.ok()) return st.WithMessage("writer: committing the buffer of ", t.name, ": ", st.message());
  }
  t.committed_seq = t.next_seq - 1;
  return arrow::Status::OK();
}

arrow::Status Writer::CommitBuffer() {
  std::lock_guard lock(mutex_);
  int64_t buffered = 0;
  for (auto& [name, t] : tables_) {
    ARROW_RETURN_NOT_OK(CommitTable(*t));
    buffered += t->committed_seq - t->flushed_seq;
  }
  if (buffered >= options_.storage.max_buffer_rows) {
    std::lock_guard wake(wake_mutex_);
    flush_requested_ = true;
    wake_.notify_all();
  }
  return arrow::Status::OK();
}

void Writer::CommitLoop() {
  const auto interval = std::chrono::milliseconds(std::max(1, options_.storage.durable_interval_ms));
  std::unique_lock lock(wake_mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, interval, [this] { return stopping_; });
    lock.unlock();
    auto st = CommitBuffer();
    if (st.ok()) st = journal_->Sync();
    if (!st.ok()) spdlog::error("{}", st.message());
    lock.lock();
  }
}

arrow::Status Writer::Stop() {
  {
    std::lock_guard lock(wake_mutex_);
    if (stopping_ && !commit_thread_.joinable()) return arrow::Status::OK();
    stopping_ = true;
  }
  wake_.notify_all();
  if (commit_thread_.joinable()) commit_thread_.join();
  if (flush_thread_.joinable()) flush_thread_.join();
  ARROW_RETURN_NOT_OK(CommitBuffer());
  ARROW_RETURN_NOT_OK(journal_->Sync());
  auto st = FlushToLake();
  if (st.ok()) spdlog::info("writer: every buffered row is in the lake");
  return st;
}

WriterStats Writer::stats() const {
  WriterStats out;
  {
    std::lock_guard lock(stats_mutex_);
    out = stats_;
  }
  std::lock_guard lock(mutex_);
  for (const auto& [name, t] : tables_) {
    out.tables.push_back({name, t->next_seq - 1 - t->flushed_seq, t->flushed_rows});
  }
  return out;
}

void Writer::AddGauges() {
  auto& r = metrics::Registry::Default();
  gauges_.push_back(r.AddGauge("homer_writer_buffered_rows", "Rows in the writer's buffer, not yet in the lake.",
                               {"table"}, [this] {
                                 metrics::GaugeSamples out;
                                 for (const auto& t : stats().tables) {
                                   out.push_back({{t.table}, static_cast<double>(t.buffered_rows)});
                                 }
                                 return out;
                               }));
}

}  // namespace homer::writer
