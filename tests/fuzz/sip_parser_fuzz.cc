// A SIP message as the payload of a proto-1 HEP packet: parsed, then turned into its record.
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_record_check.h"
#include "ingest/capture_record.h"
#include "ingest/sip_message.h"

using namespace homer::ingest;

namespace {

void CheckInside(std::string_view view, std::string_view text) {
  if (view.empty()) return;
  if (view.data() < text.data() || view.data() + view.size() > text.data() + text.size()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  SipMessage msg;
  DropReason reason;
  if (ParseSip(text, &msg, &reason)) {
    // Zero-copy: every field is a view of the input.
    for (std::string_view v : {msg.method, msg.request_uri, msg.reason, msg.version, msg.call_id, msg.from.user,
                               msg.from.host, msg.from.tag, msg.to.user, msg.to.host, msg.to.tag, msg.cseq,
                               msg.cseq_method, msg.contact, msg.via, msg.branch, msg.content_type,
                               msg.content_length, msg.user_agent, msg.server, msg.authorization_user,
                               msg.authorization, msg.p_asserted_identity, msg.reason_header, msg.diversion,
                               msg.expires, msg.max_forwards, msg.x_rtp_stat, msg.x_call_id}) {
      CheckInside(v, text);
    }
    for (const auto& [name, value] : msg.other_headers) {
      CheckInside(name, text);
      CheckInside(value, text);
    }
    if (msg.call_id.empty() || msg.cseq_method.size() < 3) __builtin_trap();
  }

  HepPacket packet;
  packet.ip_family = 2;
  packet.ip_protocol = 17;
  packet.src_ip = "192.0.2.1";
  packet.dst_ip = "192.0.2.2";
  packet.proto_type = 1;
  packet.correlation_id = size % 3 == 0 ? "corr" : "";
  packet.payload = text;
  SipOptions options;
  options.aleg_ids = {"X-CID", "x-call-id", "i", "P-Asserted-Identity"};
  options.force_aleg_id = size % 2 == 0;
  options.censored_methods = {"invite"};
  options.discard_methods = {"OPTIONS"};
  CaptureRecord record;
  if (BuildRecord(packet, options, 1700000000000000, &record, &reason)) CheckRecord(record);
  return 0;
}
