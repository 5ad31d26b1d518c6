#include "ingest/decode_worker.h"

#include <spdlog/spdlog.h>

#include "ingest/capture_thread.h"

namespace homer::ingest {
namespace {
constexpr auto kWait = std::chrono::milliseconds(200);  // also how often drop summaries are looked at
}

DecodeWorker::DecodeWorker(const config::IngestConfig& config, PacketQueue* queue, RecordSink* sink,
                           IngestStats* stats)
    : queue_(queue), sink_(sink), stats_(stats), accept_v1_v2_(config.hepv2_enable) {
  sip_.aleg_ids = config.sip.aleg_ids;
  sip_.force_aleg_id = config.sip.force_aleg_id;
  sip_.censored_methods = config.sip.censored_methods;
  sip_.discard_methods = config.sip.discard_methods;
  if (config.dedup) dedup_ = std::make_unique<Deduplicator>();
  records_.reserve(kMaxBatch);
  thread_ = std::thread([this] {
    BecomeCaptureThread("hep-decode");
    Run();
  });
}

DecodeWorker::~DecodeWorker() { Join(); }

void DecodeWorker::Join() {
  if (thread_.joinable()) thread_.join();
}

void DecodeWorker::Run() {
  std::vector<RawPacket> batch;
  batch.reserve(kMaxBatch);
  while (queue_->PopBatch(&batch, kMaxBatch, kWait)) {
    for (const RawPacket& raw : batch) Decode(raw);
    Flush();
    stats_->MaybeLogSummary(MonotonicMillis());
  }
  stats_->MaybeLogSummary(MonotonicMillis(), 0);
}

void DecodeWorker::Decode(const RawPacket& raw) {
  const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(raw.bytes.data()), raw.bytes.size());
  HepPacket packet;
  DropReason reason;
  if (!DecodeHep(bytes, accept_v1_v2_, &packet, &reason)) return stats_->Dropped(reason);
  if (dedup_ && dedup_->IsDuplicate(packet.payload, raw.received_us)) return stats_->Dropped(DropReason::kDuplicate);
  CaptureRecord& record = records_.emplace_back();
  if (!BuildRecord(packet, sip_, raw.received_us, &record, &reason)) {
    records_.pop_back();
    stats_->Dropped(reason);
  }
}

void DecodeWorker::Flush() {
  if (records_.empty()) return;
  const size_t n = records_.size();
  const arrow::Status st = sink_->Write(records_);
  if (st.ok()) {
    stats_->Decoded(n);
  } else {
    stats_->Dropped(DropReason::kWriterFailed, n);
    // The first failure at once, then one line in 10 s at most (the drop summaries count them all).
    const int64_t now = MonotonicMillis();
    if (last_error_log_ms_ < 0 || now - last_error_log_ms_ >= 10000) {
      last_error_log_ms_ = now;
      spdlog::error("ingest: the writer refused {} records: {}", n, st.ToString());
    }
  }
  records_.clear();
}

}  // namespace homer::ingest
