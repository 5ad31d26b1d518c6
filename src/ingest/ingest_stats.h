#pragma once
/// \file
/// The counters of one IngestService, shared by its receivers and its decode thread. Each count
/// goes to an atomic (IngestService::counters()) and to the process's Prometheus metrics. Drops
/// are logged: the first of each reason at once, then a summary at most every 10 s; packet bytes
/// are never logged.

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "ingest/drop_reason.h"
#include "ingest/ingest_service.h"
#include "ingest/packet_queue.h"

namespace homer::ingest {

class IngestStats {
 public:
  IngestStats() = default;
  IngestStats(const IngestStats&) = delete;
  IngestStats& operator=(const IngestStats&) = delete;

  /// Packets that arrived (whatever happens to them next) and their bytes.
  void Received(Transport transport, uint64_t packets, uint64_t bytes);
  void Dropped(DropReason reason, uint64_t packets = 1);
  /// Records the sink took.
  void Decoded(uint64_t records);
  void TcpOpened();
  void TcpClosed();
  /// A connection closed at once because max_connections were open.
  void TcpRefused();
  /// The UDP socket's own drop count (receive buffer full, before ingest saw the datagrams):
  /// the kernel's running total, so only its growth is counted.
  void UdpSocketOverflows(uint64_t total);

  /// Log the drops since the last summary, if any and if `interval_ms` has passed. Called by the
  /// decode thread at every turn.
  void MaybeLogSummary(int64_t now_ms, int64_t interval_ms = 10000);

  /// Everything but the queue's fields.
  IngestCounters Snapshot() const;

 private:
  std::array<std::atomic<uint64_t>, kTransportCount> received_{};
  std::atomic<uint64_t> received_bytes_{0};
  std::atomic<uint64_t> decoded_{0};
  std::atomic<uint64_t> tcp_open_{0};
  std::atomic<uint64_t> tcp_refused_{0};
  std::atomic<uint64_t> udp_overflows_{0};
  std::array<std::atomic<uint64_t>, kDropReasonCount> dropped_{};
  std::array<std::atomic<bool>, kDropReasonCount> first_logged_{};

  std::mutex summary_mutex_;
  int64_t last_summary_ms_ = 0;
  std::array<uint64_t, kDropReasonCount> summarized_{};  ///< drops already in a summary (or the first log)
  uint64_t refused_summarized_ = 0;
  uint64_t overflows_summarized_ = 0;
};

/// UTC microseconds since the epoch (the receive time of packets).
int64_t NowMicros();
/// Monotonic milliseconds (timeouts and summaries).
int64_t MonotonicMillis();

}  // namespace homer::ingest
