#pragma once
/// \file
/// The capture front: HEP receivers (UDP, TCP, HTTP POST /api/hep) feeding one bounded queue,
/// and a decode thread turning queued packets into records for a RecordSink. A full queue drops
/// the packet and counts it: a receive loop never waits for the writer.

#include <arrow/result.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>

#include "config/server_config.h"
#include "ingest/drop_reason.h"
#include "ingest/record_sink.h"

namespace homer::ingest {

/// received_* count every packet that arrived, dropped or not; once the queue is drained,
/// received = decoded + the sum of dropped.
struct IngestCounters {
  uint64_t received_udp = 0, received_tcp = 0, received_http = 0;
  uint64_t received_bytes = 0;
  uint64_t decoded = 0;            ///< records the sink took (a failed Write counts as writer_failed)
  uint64_t tcp_connections = 0;    ///< open now
  uint64_t tcp_refused = 0;        ///< connections closed at once: max_connections were open
  /// Datagrams the kernel dropped (UDP receive buffer full): never received, so not in received_udp.
  uint64_t udp_socket_drops = 0;
  uint64_t queue_depth = 0;        ///< packets waiting to be decoded
  uint64_t queue_capacity = 0;
  std::array<uint64_t, kDropReasonCount> dropped{};  ///< by DropReason
};

class IngestService {
 public:
  /// Bind every enabled receiver (an address in use is an error naming the receiver and its
  /// config key) and start the threads. `sink` must outlive the service. A port of 0 binds any
  /// free port (tests; the config loader never yields 0): read it back with udp_port() & co.
  static arrow::Result<std::unique_ptr<IngestService>> Start(const config::IngestConfig& config, RecordSink* sink);
  ~IngestService();  ///< Stop()

  /// Stop receiving, decode and hand over what is queued (the sink gets every accepted packet),
  /// then stop the decode thread. Idempotent.
  void Stop();

  IngestCounters counters() const;
  /// Bound ports (0 for a receiver that is not enabled).
  int udp_port() const;
  int tcp_port() const;
  int http_port() const;

 private:
  IngestService() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace homer::ingest
