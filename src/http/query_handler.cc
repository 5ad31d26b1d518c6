/// \file
/// POST /api/v4/node/query and POST /query: run one read-only query and stream its rows as JSON.
/// The first batch is fetched before the status line goes out, so errors of binding, planning
/// and the first scan become proper HTTP errors. A failure after that aborts the chunked body
/// (the client sees a truncated response, never a well-formed partial result). An answer the
/// merged lake gives without some volumes (node.ducklake.partial_answers) says so in the
/// X-Homer-Partial header and a "partial" field before "data".

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "http/client_socket.h"
#include "http/handlers_internal.h"
#include "http/http_status.h"
#include "http/json_writer.h"

namespace homer::http {
namespace {

constexpr size_t kFlushBytes = 1 << 20;

/// What the content provider needs between calls; shared because httplib copies the provider.
struct StreamState {
  std::unique_ptr<engine::QueryStream> query;
  std::unique_ptr<JsonRowEncoder> encoder;
  std::shared_ptr<arrow::RecordBatch> pending;  ///< fetched but not yet written
  QueryShape shape;
  bool started = false;
  bool finished = false;
  int64_t rows = 0;
  std::string buffer;
};


/// `"partial":{...},` when the answer leaves volumes out (engine/partial_answer.h); nothing otherwise,
/// so a complete answer keeps the shape clients know.
void AppendPartial(StreamState& s) {
  if (s.query->partial().partial()) s.buffer += "\"partial\":" + s.query->partial().Json() + ",";
}

void AppendHeader(StreamState& s) {
  const auto& schema = *s.query->schema();
  if (s.shape == QueryShape::kLegacyObjects) {
    s.buffer += "{\"success\":true,";
    AppendPartial(s);
    s.buffer += "\"data\":[";
    return;
  }
  s.buffer += "{\"columns\":[";
  for (int i = 0; i < schema.num_fields(); ++i) {
    if (i) s.buffer += ',';
    AppendJsonString(schema.field(i)->name(), &s.buffer);
  }
  s.buffer += "],\"types\":[";
  for (int i = 0; i < schema.num_fields(); ++i) {
    if (i) s.buffer += ',';
    AppendJsonString(schema.field(i)->type()->ToString(), &s.buffer);
  }
  s.buffer += "],";
  AppendPartial(s);
  s.buffer += "\"data\":[";
}

void AppendBatch(StreamState& s, const arrow::RecordBatch& batch) {
  for (int64_t r = 0; r < batch.num_rows(); ++r) {
    if (s.rows++) s.buffer += ',';
    if (s.shape == QueryShape::kLegacyObjects) s.encoder->AppendRowObject(batch, r, &s.buffer);
    else s.encoder->AppendRowArray(batch, r, &s.buffer);
  }
}

/// Close the document; the v4 shape ends with what the query read, per volume.
void AppendFooter(StreamState& s) {
  if (s.shape == QueryShape::kLegacyObjects) {
    s.buffer += "],\"count\":" + std::to_string(s.rows) + "}";
    return;
  }
  const auto& profile = s.query->profile();
  s.buffer += "],\"stats\":{\"rows\":" + std::to_string(s.rows) + ",\"files_read\":{";
  bool first = true;
  for (const auto& [volume, files] : profile.files_read_by_volume) {
    if (!first) s.buffer += ',';
    first = false;
    AppendJsonString(volume, &s.buffer);
    s.buffer += ':' + std::to_string(files);
  }
  s.buffer += "},\"rows_scanned\":" + std::to_string(profile.rows_scanned) + "}}";
}

/// Fill the buffer up to kFlushBytes; false when the query failed mid-stream.
bool Produce(StreamState& s) {
  if (!s.started) {
    AppendHeader(s);
    s.started = true;
  }
  while (s.buffer.size() < kFlushBytes) {
    std::shared_ptr<arrow::RecordBatch> batch = std::move(s.pending);
    if (!batch) {
      auto next = s.query->Next();
      if (!next.ok()) {
        spdlog::warn("query failed after {} rows were sent: {}", s.rows, next.status().message());
        return false;
      }
      batch = *next;
    }
    if (!batch) {
      AppendFooter(s);
      s.finished = true;
      s.query.reset();  // done: its connection goes back to the pool before the last write
      break;
    }
    AppendBatch(s, *batch);
  }
  return true;
}

}  // namespace

arrow::Result<std::string> SqlFromBody(const std::string& body) {
  auto doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return arrow::Status::Invalid("request body is not valid JSON");
  if (!doc.is_object()) return arrow::Status::Invalid("request body must be a JSON object with \"sql\"");
  auto it = doc.find("sql");
  if (it == doc.end()) return arrow::Status::Invalid("missing \"sql\"");
  if (!it->is_string()) return arrow::Status::Invalid("\"sql\" must be a string");
  std::string sql = it->get<std::string>();
  if (sql.find_first_not_of(" \t\r\n;") == std::string::npos) return arrow::Status::Invalid("\"sql\" is empty");
  return sql;
}

void HandleQuery(HandlerContext& ctx, const httplib::Request& req, httplib::Response& res, QueryShape shape) {
  const bool legacy = shape == QueryShape::kLegacyObjects;
  auto sql = SqlFromBody(req.body);
  if (!sql.ok()) return SendError(res, sql.status(), legacy);

  auto state = std::make_shared<StreamState>();
  state->shape = shape;
  engine::ExecuteOptions options;
  options.surface = "http";
  // The v4 shape ends with what the query read, from DuckDB's profiler.
  options.profile = shape != QueryShape::kLegacyObjects;
  // A client that closes its connection stops the query, also before its first row.
  options.client_gone = [client = std::make_shared<ClientSocket>(req)] { return client->Gone(); };
  auto query = ctx.engine->Execute(*sql, {}, std::move(options));
  if (!query.ok()) return SendError(res, query.status(), legacy);
  state->query = std::move(*query);
  auto first = state->query->Next();
  if (!first.ok()) return SendError(res, first.status(), legacy);
  state->pending = *first;
  auto encoder = JsonRowEncoder::Make(state->query->schema());
  if (!encoder.ok()) return SendError(res, encoder.status(), legacy);
  state->encoder = std::move(*encoder);

  res.status = 200;
  // Before the first byte: a client reading headers only still learns the answer is partial.
  if (state->query->partial().partial()) res.set_header("X-Homer-Partial", state->query->partial().Text());
  auto produce = [state](size_t, httplib::DataSink& sink) {
    if (!Produce(*state)) return false;  // aborts the response: the client sees it truncated
    if (!sink.write(state->buffer.data(), state->buffer.size())) {
      if (state->query) state->query->Cancel();  // client went away: stop the query in DuckDB
      return false;
    }
    state->buffer.clear();
    if (state->finished) sink.done();
    return true;
  };
  auto release = [state](bool success) {
    if (!success && state->query) state->query->Cancel();
  };
  // HTTP/1.0 has no chunked encoding: the body then ends when the connection closes.
  if (req.version == "HTTP/1.0") {
    res.set_content_provider("application/json", produce, release);
  } else {
    res.set_chunked_content_provider("application/json", produce, release);
  }
}

}  // namespace homer::http
