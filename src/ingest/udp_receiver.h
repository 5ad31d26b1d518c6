#pragma once
/// \file
/// ingest.udp: one datagram = one HEP packet. A thread takes datagrams from the socket in
/// batches (recvmmsg) and copies them into the queue; it never waits for the queue.

#include <arrow/result.h>

#include <memory>
#include <thread>

#include "config/server_config.h"
#include "ingest/ingest_stats.h"
#include "ingest/packet_queue.h"
#include "ingest/socket_util.h"

namespace homer::ingest {

class UdpReceiver {
 public:
  /// Bind udp.host:port, size the socket's receive buffer and start the thread. `queue` and
  /// `stats` must outlive the receiver.
  static arrow::Result<std::unique_ptr<UdpReceiver>> Start(const config::IngestConfig& config, PacketQueue* queue,
                                                           IngestStats* stats);
  ~UdpReceiver();  ///< Stop()

  /// Stop the thread (within one poll wake-up) and close the socket. Idempotent.
  void Stop();
  int port() const { return port_; }

 private:
  UdpReceiver() = default;
  void Run();

  UniqueFd socket_;
  Waker waker_;
  PacketQueue* queue_ = nullptr;
  IngestStats* stats_ = nullptr;
  size_t max_packet_bytes_ = 0;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace homer::ingest
