#include "writer/capture_status.h"

#include <nlohmann/json.hpp>

namespace homer::writer {
namespace {

using nlohmann::json;

json WriterJson(const WriterStats& s) {
  json tables = json::object();
  int64_t buffered = 0;
  for (const auto& t : s.tables) {
    tables[t.table] = {{"buffered_rows", t.buffered_rows}, {"flushed_rows", t.flushed_rows}};
    buffered += t.buffered_rows;
  }
  return {{"appended_rows", s.appended_rows},
          {"buffered_rows", buffered},
          {"flushed_rows", s.flushed_rows},
          {"flushes", s.flushes},
          {"flush_failures", s.flush_failures},
          {"commit_conflicts", s.commit_conflicts},
          {"recovered_rows", s.recovered_rows},
          {"last_flush_seconds", s.last_flush_seconds},
          {"last_flush_unix_ms", s.last_flush_unix_ms},
          {"last_flush_error", s.last_flush_error},
          {"tables", tables}};
}

}  // namespace

std::string CaptureStatsJson(const ingest::IngestService* ingest, const Writer& writer) {
  json out = {{"writer", WriterJson(writer.stats())}};
  if (ingest) {
    const auto c = ingest->counters();
    json dropped = json::object();
    uint64_t total = 0;
    for (int i = 0; i < ingest::kDropReasonCount; ++i) {
      if (c.dropped[i] == 0) continue;
      dropped[ingest::DropReasonName(static_cast<ingest::DropReason>(i))] = c.dropped[i];
      total += c.dropped[i];
    }
    out["ingest"] = {{"received", c.received_udp + c.received_tcp + c.received_http},
                     {"received_by_transport",
                      {{"udp", c.received_udp}, {"tcp", c.received_tcp}, {"http", c.received_http}}},
                     {"received_bytes", c.received_bytes},
                     {"decoded", c.decoded},
                     {"dropped", total},
                     {"dropped_by_reason", dropped},
                     {"queue_depth", c.queue_depth},
                     {"queue_capacity", c.queue_capacity},
                     {"tcp_connections", c.tcp_connections},
                     {"tcp_refused", c.tcp_refused},
                     {"udp_socket_drops", c.udp_socket_drops}};
  }
  return out.dump();
}

std::string WriterHealthJson(const Writer& writer) {
  const auto s = writer.stats();
  json w = WriterJson(s);
  w.erase("tables");
  w["status"] = s.last_flush_error.empty() ? "ok" : "failing";
  return w.dump();
}

}  // namespace homer::writer
