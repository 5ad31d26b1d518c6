#include "ingest/ingest_stats.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "metrics/registry.h"

namespace homer::ingest {
namespace {

/// The process's ingest metrics; every child is created once so that counting takes no lock.
struct Metrics {
  std::array<metrics::Counter*, kTransportCount> received{};
  std::array<metrics::Counter*, kDropReasonCount> dropped{};
  metrics::Counter* decoded = nullptr;
  metrics::Counter* tcp_refused = nullptr;
  metrics::Counter* udp_overflows = nullptr;

  static Metrics& Get() {
    static Metrics m = [] {
      auto& r = metrics::Registry::Default();
      auto& received = r.AddCounter("homer_ingest_packets_received_total",
                                    "HEP packets received (before any drop), by transport.", {"transport"});
      auto& dropped =
          r.AddCounter("homer_ingest_packets_dropped_total", "HEP packets dropped, by reason.", {"reason"});
      auto& decoded = r.AddCounter("homer_ingest_records_decoded_total", "Records handed to the writer.");
      auto& refused = r.AddCounter("homer_ingest_tcp_connections_refused_total",
                                   "TCP connections closed at once because ingest.tcp.max_connections were open.");
      auto& overflows = r.AddCounter("homer_ingest_udp_socket_drops_total",
                                     "UDP datagrams the kernel dropped because the socket's receive buffer was full "
                                     "(ingest.udp.receive_buffer_bytes).");
      Metrics out;
      for (int t = 0; t < kTransportCount; ++t) {
        out.received[t] = &received.With({TransportName(static_cast<Transport>(t))});
      }
      for (int d = 0; d < kDropReasonCount; ++d) {
        out.dropped[d] = &dropped.With({DropReasonName(static_cast<DropReason>(d))});
      }
      out.decoded = &decoded.With({});
      out.tcp_refused = &refused.With({});
      out.udp_overflows = &overflows.With({});
      return out;
    }();
    return m;
  }
};

}  // namespace

int64_t NowMicros() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t MonotonicMillis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

void IngestStats::Received(Transport transport, uint64_t packets, uint64_t bytes) {
  if (packets == 0) return;
  const int t = static_cast<int>(transport);
  received_[t].fetch_add(packets, std::memory_order_relaxed);
  received_bytes_.fetch_add(bytes, std::memory_order_relaxed);
  Metrics::Get().received[t]->Add(static_cast<double>(packets));
}

void IngestStats::Dropped(DropReason reason, uint64_t packets) {
  if (packets == 0) return;
  const int d = static_cast<int>(reason);
  dropped_[d].fetch_add(packets, std::memory_order_relaxed);
  Metrics::Get().dropped[d]->Add(static_cast<double>(packets));
  if (!first_logged_[d].exchange(true, std::memory_order_relaxed)) {
    spdlog::warn("ingest: first packet dropped for '{}'; later drops are summarized at most every 10 s",
                 DropReasonName(reason));
  }
}

void IngestStats::Decoded(uint64_t records) {
  decoded_.fetch_add(records, std::memory_order_relaxed);
  Metrics::Get().decoded->Add(static_cast<double>(records));
}

void IngestStats::TcpOpened() { tcp_open_.fetch_add(1, std::memory_order_relaxed); }
void IngestStats::TcpClosed() { tcp_open_.fetch_sub(1, std::memory_order_relaxed); }

void IngestStats::TcpRefused() {
  if (tcp_refused_.fetch_add(1, std::memory_order_relaxed) == 0) {
    spdlog::warn("ingest.tcp: a connection was refused: ingest.tcp.max_connections are open");
  }
  Metrics::Get().tcp_refused->Add();
}

void IngestStats::UdpSocketOverflows(uint64_t total) {
  // One receive thread: no other writer races this read-then-store.
  const uint64_t before = udp_overflows_.load(std::memory_order_relaxed);
  if (total <= before) return;
  udp_overflows_.store(total, std::memory_order_relaxed);
  Metrics::Get().udp_overflows->Add(static_cast<double>(total - before));
  if (before == 0) {
    spdlog::warn("ingest.udp: the kernel dropped datagrams: the socket's receive buffer was full (raise "
                 "ingest.udp.receive_buffer_bytes, or the decoder and writer fell behind)");
  }
}

void IngestStats::MaybeLogSummary(int64_t now_ms, int64_t interval_ms) {
  std::lock_guard lock(summary_mutex_);
  if (last_summary_ms_ == 0) last_summary_ms_ = now_ms;
  if (now_ms - last_summary_ms_ < interval_ms) return;
  const int64_t seconds = std::max<int64_t>(1, (now_ms - last_summary_ms_ + 500) / 1000);
  last_summary_ms_ = now_ms;
  std::string text;
  for (int d = 0; d < kDropReasonCount; ++d) {
    const uint64_t total = dropped_[d].load(std::memory_order_relaxed);
    if (total == summarized_[d]) continue;
    text += fmt::format("{}{}={}", text.empty() ? "" : " ", DropReasonName(static_cast<DropReason>(d)),
                        total - summarized_[d]);
    summarized_[d] = total;
  }
  if (!text.empty()) spdlog::warn("ingest: packets dropped in the last {} s: {}", seconds, text);
  const uint64_t refused = tcp_refused_.load(std::memory_order_relaxed);
  if (refused != refused_summarized_) {
    spdlog::warn("ingest.tcp: {} connections refused in the last {} s (ingest.tcp.max_connections)",
                 refused - refused_summarized_, seconds);
    refused_summarized_ = refused;
  }
  const uint64_t overflows = udp_overflows_.load(std::memory_order_relaxed);
  if (overflows != overflows_summarized_) {
    spdlog::warn("ingest.udp: the kernel dropped {} datagrams in the last {} s (receive buffer full)",
                 overflows - overflows_summarized_, seconds);
    overflows_summarized_ = overflows;
  }
}

IngestCounters IngestStats::Snapshot() const {
  IngestCounters c;
  c.received_udp = received_[static_cast<int>(Transport::kUdp)].load(std::memory_order_relaxed);
  c.received_tcp = received_[static_cast<int>(Transport::kTcp)].load(std::memory_order_relaxed);
  c.received_http = received_[static_cast<int>(Transport::kHttp)].load(std::memory_order_relaxed);
  c.received_bytes = received_bytes_.load(std::memory_order_relaxed);
  c.decoded = decoded_.load(std::memory_order_relaxed);
  c.tcp_connections = tcp_open_.load(std::memory_order_relaxed);
  c.tcp_refused = tcp_refused_.load(std::memory_order_relaxed);
  c.udp_socket_drops = udp_overflows_.load(std::memory_order_relaxed);
  for (int d = 0; d < kDropReasonCount; ++d) c.dropped[d] = dropped_[d].load(std::memory_order_relaxed);
  return c;
}

}  // namespace homer::ingest
