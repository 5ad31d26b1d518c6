#include "ingest/ingest_service.h"

#include <spdlog/spdlog.h>

#include <mutex>
#include <vector>

#include "ingest/decode_worker.h"
#include "ingest/http_receiver.h"
#include "ingest/ingest_stats.h"
#include "ingest/packet_queue.h"
#include "ingest/tcp_receiver.h"
#include "ingest/udp_receiver.h"
#include "metrics/registry.h"

namespace homer::ingest {

struct IngestService::Impl {
  explicit Impl(const config::IngestConfig& config) : queue(static_cast<size_t>(config.queue_size)) {}
  IngestStats stats;
  PacketQueue queue;
  std::unique_ptr<DecodeWorker> worker;
  std::unique_ptr<UdpReceiver> udp;
  std::unique_ptr<TcpReceiver> tcp;
  std::unique_ptr<HttpReceiver> http;
  std::vector<uint64_t> gauges;
  std::mutex stop_mutex;
  bool stopped = false;
};

namespace {

arrow::Status Validate(const config::IngestConfig& config, RecordSink* sink) {
  if (sink == nullptr) return arrow::Status::Invalid("ingest: no record sink");
  if (config.queue_size < 1) return arrow::Status::Invalid("ingest.queue_size must be at least 1");
  // The smallest HEP packet is its 6-byte header.
  if (config.max_packet_bytes < 6) return arrow::Status::Invalid("ingest.max_packet_bytes must be at least 6");
  return arrow::Status::OK();
}

}  // namespace

arrow::Result<std::unique_ptr<IngestService>> IngestService::Start(const config::IngestConfig& config,
                                                                   RecordSink* sink) {
  ARROW_RETURN_NOT_OK(Validate(config, sink));
  std::unique_ptr<IngestService> service(new IngestService());
  service->impl_ = std::make_unique<Impl>(config);
  Impl& s = *service->impl_;
  // The decoder first, so the first packets do not wait; on an error below, the destructor
  // stops whatever was started.
  s.worker = std::make_unique<DecodeWorker>(config, &s.queue, sink, &s.stats);
  if (config.udp.enable) {
    ARROW_ASSIGN_OR_RAISE(s.udp, UdpReceiver::Start(config, &s.queue, &s.stats));
  }
  if (config.tcp.enable) {
    ARROW_ASSIGN_OR_RAISE(s.tcp, TcpReceiver::Start(config, &s.queue, &s.stats));
  }
  if (config.http.enable) {
    ARROW_ASSIGN_OR_RAISE(s.http, HttpReceiver::Start(config, &s.queue, &s.stats));
  }
  if (!s.udp && !s.tcp && !s.http) spdlog::warn("ingest: enabled, but every receiver (udp, tcp, http) is off");

  auto& r = metrics::Registry::Default();
  s.gauges.push_back(r.AddGauge("homer_ingest_queue_depth", "HEP packets received and waiting to be decoded.", {},
                                [q = &s.queue] { return metrics::GaugeSamples{{{}, double(q->size())}}; }));
  s.gauges.push_back(r.AddGauge("homer_ingest_tcp_connections", "HEP TCP connections open.", {}, [st = &s.stats] {
    return metrics::GaugeSamples{{{}, double(st->Snapshot().tcp_connections)}};
  }));
  return service;
}

IngestService::~IngestService() {
  if (!impl_) return;
  Stop();
  for (uint64_t id : impl_->gauges) metrics::Registry::Default().RemoveGauge(id);
}

void IngestService::Stop() {
  std::lock_guard lock(impl_->stop_mutex);
  if (impl_->stopped) return;
  impl_->stopped = true;
  // Receivers first (HTTP answers the requests in flight), then the decoder drains the queue.
  if (impl_->http) impl_->http->Stop();
  if (impl_->tcp) impl_->tcp->Stop();
  if (impl_->udp) impl_->udp->Stop();
  impl_->queue.Close();
  if (impl_->worker) impl_->worker->Join();
  const IngestCounters c = counters();
  spdlog::info("ingest: stopped; {} packets received (udp {}, tcp {}, http {}), {} records written",
               c.received_udp + c.received_tcp + c.received_http, c.received_udp, c.received_tcp, c.received_http,
               c.decoded);
}

IngestCounters IngestService::counters() const {
  IngestCounters c = impl_->stats.Snapshot();
  c.queue_depth = impl_->queue.size();
  c.queue_capacity = impl_->queue.capacity();
  return c;
}

int IngestService::udp_port() const { return impl_->udp ? impl_->udp->port() : 0; }
int IngestService::tcp_port() const { return impl_->tcp ? impl_->tcp->port() : 0; }
int IngestService::http_port() const { return impl_->http ? impl_->http->port() : 0; }

}  // namespace homer::ingest
