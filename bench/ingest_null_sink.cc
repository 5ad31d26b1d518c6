// ingest_null_sink: the ingest service (receivers, queue, decoder, record building) with a sink
// that drops every record, to measure what ingest alone sustains. Prints one JSON line per
// second and a summary at the end.
//
//   ingest_null_sink [--udp-port 9060] [--tcp-port 9061] [--seconds 10] [--queue 200000] [--dedup]

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "ingest/ingest_service.h"

namespace {

class NullSink : public homer::ingest::RecordSink {
 public:
  arrow::Status Write(std::vector<homer::ingest::CaptureRecord>& batch) override { return arrow::Status::OK(); }
};

uint64_t Dropped(const homer::ingest::IngestCounters& c) {
  uint64_t n = 0;
  for (uint64_t d : c.dropped) n += d;
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  homer::config::IngestConfig config;
  config.enable = true;
  config.udp.host = config.tcp.host = "127.0.0.1";
  config.udp.port = 9060;
  config.tcp.port = 9061;
  config.tcp.enable = true;
  config.http.enable = false;
  double seconds = 10;
  for (int i = 1; i + 1 < argc || (i < argc && std::string(argv[i]) == "--dedup"); ++i) {
    const std::string a = argv[i];
    if (a == "--dedup") config.dedup = true;
    else if (a == "--udp-port") config.udp.port = std::stoi(argv[++i]);
    else if (a == "--tcp-port") config.tcp.port = std::stoi(argv[++i]);
    else if (a == "--seconds") seconds = std::stod(argv[++i]);
    else if (a == "--queue") config.queue_size = std::stoll(argv[++i]);
  }
  NullSink sink;
  auto started = homer::ingest::IngestService::Start(config, &sink);
  if (!started.ok()) {
    std::fprintf(stderr, "%s\n", started.status().ToString().c_str());
    return 1;
  }
  auto& service = **started;
  const auto t0 = std::chrono::steady_clock::now();
  uint64_t last_received = 0, last_decoded = 0, peak_received = 0, peak_decoded = 0;
  for (int s = 1; s <= static_cast<int>(seconds); ++s) {
    std::this_thread::sleep_until(t0 + std::chrono::seconds(s));
    const auto c = service.counters();
    const uint64_t received = c.received_udp + c.received_tcp;
    peak_received = std::max(peak_received, received - last_received);
    peak_decoded = std::max(peak_decoded, c.decoded - last_decoded);
    std::printf("{\"t\":%d,\"received_per_s\":%llu,\"decoded_per_s\":%llu,\"queue_depth\":%llu,\"dropped\":%llu}\n", s,
                (unsigned long long)(received - last_received), (unsigned long long)(c.decoded - last_decoded),
                (unsigned long long)c.queue_depth, (unsigned long long)Dropped(c));
    std::fflush(stdout);
    last_received = received;
    last_decoded = c.decoded;
  }
  service.Stop();
  const auto c = service.counters();
  std::printf("{\"received\":%llu,\"decoded\":%llu,\"dropped\":%llu,\"queue_full\":%llu,\"udp_socket_drops\":%llu,"
              "\"peak_received_per_s\":%llu,\"peak_decoded_per_s\":%llu}\n",
              (unsigned long long)(c.received_udp + c.received_tcp), (unsigned long long)c.decoded,
              (unsigned long long)Dropped(c), (unsigned long long)c.dropped[0], (unsigned long long)c.udp_socket_drops,
              (unsigned long long)peak_received,
              (unsigned long long)peak_decoded);
  return 0;
}
