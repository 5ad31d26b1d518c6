#pragma once
/// \file
/// The one decode thread: queued packets -> DecodeHep -> dedup -> BuildRecord -> batches for the
/// RecordSink. It ends when the queue is closed and drained, so every accepted packet reaches the
/// sink or a drop counter.

#include <memory>
#include <thread>

#include "config/server_config.h"
#include "ingest/capture_record.h"
#include "ingest/dedup.h"
#include "ingest/ingest_stats.h"
#include "ingest/packet_queue.h"
#include "ingest/record_sink.h"

namespace homer::ingest {

class DecodeWorker {
 public:
  /// Records handed to the sink in one Write, at most.
  static constexpr size_t kMaxBatch = 1024;

  /// Start the thread. `queue`, `sink` and `stats` must outlive the worker.
  DecodeWorker(const config::IngestConfig& config, PacketQueue* queue, RecordSink* sink, IngestStats* stats);
  ~DecodeWorker();  ///< Join()

  /// Wait for the thread to end: it does once the queue is closed and empty.
  void Join();

 private:
  void Run();
  void Decode(const RawPacket& raw);
  void Flush();

  PacketQueue* queue_;
  RecordSink* sink_;
  IngestStats* stats_;
  bool accept_v1_v2_;
  SipOptions sip_;
  std::unique_ptr<Deduplicator> dedup_;  ///< null when ingest.dedup is off
  std::vector<CaptureRecord> records_;
  int64_t last_error_log_ms_ = -1;
  std::thread thread_;
};

}  // namespace homer::ingest
