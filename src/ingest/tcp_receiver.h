#pragma once
/// \file
/// ingest.tcp: HEP v3 over TCP streams, every connection on one epoll thread. A stream that
/// goes out of sync or announces a packet past max_packet_bytes is closed (it cannot be
/// resynchronised); so is one silent for idle_timeout_sec. Connections past max_connections are
/// closed at once and counted.

#include <arrow/result.h>

#include <memory>
#include <span>
#include <thread>
#include <unordered_map>
#include <vector>

#include "config/server_config.h"
#include "ingest/ingest_stats.h"
#include "ingest/packet_queue.h"
#include "ingest/socket_util.h"

namespace homer::ingest {

class TcpReceiver {
 public:
  /// Listen on tcp.host:port and start the thread. `queue` and `stats` must outlive the receiver.
  static arrow::Result<std::unique_ptr<TcpReceiver>> Start(const config::IngestConfig& config, PacketQueue* queue,
                                                           IngestStats* stats);
  ~TcpReceiver();  ///< Stop()

  /// Stop the thread and close the listener and every connection (a packet cut short by that
  /// is counted as truncated). Idempotent.
  void Stop();
  int port() const { return port_; }

 private:
  struct Connection;
  TcpReceiver() = default;
  void Run();
  void AcceptAll(int64_t now_ms);
  void ReadFrom(int fd, int64_t now_ms);
  /// Frame what was read; false when the stream is bad and was closed.
  bool Consume(Connection* c, const uint8_t* data, size_t size);
  void Close(int fd, bool count_partial);
  void SweepIdle(int64_t now_ms);
  void PauseAccepting(int64_t now_ms);

  UniqueFd listener_, epoll_;
  Waker waker_;
  PacketQueue* queue_ = nullptr;
  IngestStats* stats_ = nullptr;
  size_t max_packet_bytes_ = 0;
  size_t max_connections_ = 0;
  int64_t idle_ms_ = 0;  ///< 0: never
  int port_ = 0;
  bool accept_paused_ = false;  ///< out of file descriptors: the listener is off epoll for a while
  int64_t resume_accept_ms_ = 0;
  std::unordered_map<int, std::unique_ptr<Connection>> connections_;
  // The thread's scratch space, kept across reads.
  std::vector<uint8_t> read_buffer_;
  std::vector<std::span<const uint8_t>> frames_;
  std::vector<PacketView> views_;
  std::thread thread_;
};

}  // namespace homer::ingest
