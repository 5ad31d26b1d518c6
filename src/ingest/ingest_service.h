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

struct IngestCounters {
  uint64_t received_udp = 0, received_tcp = 0, received_http = 0;
  uint64_t received_bytes = 0;
  uint64_t decoded = 0;            ///< records handed to the sink
  uint64_t tcp_connections = 0;    ///< open now
  uint64_t queue_depth = 0;        ///< packets waiting to be decoded
  uint64_t queue_capacity = 0;
  std::array<uint64_t, kDropReasonCount> dropped{};  ///< by DropReason
};

class IngestService {
 public:
  /// Bind every enabled receiver (an address in use is an error naming the receiver and its
  /// config key) and start the threads. `sink` must outlive the service.
  static arrow::Result<std::unique_ptr<IngestService>> Start(const config::IngestConfig& config, RecordSink* sink);
  ~IngestService();  ///< Stop()

  /// Stop receiving, decode and hand over what is queued (the sink gets every accepted packet),
  /// then stop the decode thread. Idempotent.
  void Stop();

  IngestCounters counters() const;
  /// Bound ports (after Start; useful when the config says port 0 = any free port in tests).
  int udp_port() const;
  int tcp_port() const;
  int http_port() const;

 private:
  IngestService() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace homer::ingest
