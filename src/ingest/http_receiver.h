#pragma once
/// \file
/// ingest.http: HEP over HTTP. `POST /api/hep` with one binary HEP packet as the body (several
/// packets in one body are not split: the body is the packet, as in HOMER), `GET /health`.
///
/// Answers: 200 {"accepted":1} once queued; 400 for an empty body or one that does not decode
/// as HEP (the reason is in the error and counted, so a sender learns at once); 401 without
/// the configured Bearer token (/health is open); 413 past max_body_bytes, from Content-Length
/// before the body is read; 503 {"error":"queue full"} with Retry-After when the queue is full.
/// SIP-level drops (not_sip, discarded, ...) happen later in the decode thread and are counted there.

#include <arrow/result.h>

#include <memory>

#include "config/server_config.h"
#include "ingest/ingest_stats.h"
#include "ingest/packet_queue.h"

namespace homer::ingest {

class HttpReceiver {
 public:
  /// Bind http.host:port and serve on background threads. `queue` and `stats` must outlive it.
  static arrow::Result<std::unique_ptr<HttpReceiver>> Start(const config::IngestConfig& config, PacketQueue* queue,
                                                            IngestStats* stats);
  ~HttpReceiver();  ///< Stop()

  /// Stop accepting, finish the requests in flight and join the threads (an idle kept-alive
  /// connection is let go within its 1 s keep-alive timeout). Idempotent.
  void Stop();
  int port() const;

 private:
  struct Impl;
  explicit HttpReceiver(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace homer::ingest
