// HEP datagrams as a receiver gets them: decoded with and without v1/v2, and a decoded packet
// turned into its record. Every input must end in a packet or a drop reason, never a crash.
#include <cstdint>
#include <span>

#include "fuzz/fuzz_record_check.h"
#include "ingest/capture_record.h"
#include "ingest/hep_packet.h"

using namespace homer::ingest;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  const auto* begin = reinterpret_cast<const char*>(data);
  SipOptions options;
  options.aleg_ids = {"X-CID", "X-Call-ID"};
  options.censored_methods = {"MESSAGE"};
  options.discard_methods = {"OPTIONS"};
  for (bool accept_v1_v2 : {false, true}) {
    HepPacket packet;
    DropReason reason;
    if (!DecodeHep(bytes, accept_v1_v2, &packet, &reason)) continue;
    // The payload is a view into the datagram.
    if (packet.payload.data() < begin || packet.payload.data() + packet.payload.size() > begin + size) {
      __builtin_trap();
    }
    options.force_aleg_id = accept_v1_v2;
    CaptureRecord record;
    if (BuildRecord(packet, options, 1700000000000000, &record, &reason)) CheckRecord(record);
  }
  const size_t frame = HepFrameLength(bytes);
  if (frame != 0 && frame < 6) __builtin_trap();
  return 0;
}
