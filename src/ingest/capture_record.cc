#include "ingest/capture_record.h"

#include <string_view>

#include "ingest/random_uuid.h"
#include "ingest/sip_message.h"
#include "text/json_string.h"
#include "text/utf8.h"

namespace homer::ingest {
namespace {

constexpr uint8_t kProtoSip = 1;

bool Fail(DropReason why, DropReason* reason) {
  if (reason != nullptr) *reason = why;
  return false;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  const auto lower = [](char c) { return static_cast<unsigned char>(c - 'A') < 26 ? static_cast<char>(c + 32) : c; };
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool Listed(const std::vector<std::string>& methods, std::string_view method) {
  for (const auto& m : methods) {
    if (EqualsNoCase(m, method)) return true;
  }
  return false;
}

void AppendField(std::string* json, std::string_view key, std::string_view value) {
  if (value.empty()) return;
  json->push_back(',');
  text::AppendJsonString(key, json);
  json->push_back(':');
  text::AppendJsonString(value, json);
}

// {"version":3,"from_host":...}: HOMER's keys, the empty ones left out.
void SipDataExtra(const HepPacket& packet, const SipMessage& msg, std::string_view status,
                  const std::vector<std::pair<std::string_view, std::string_view>>& custom, std::string* json) {
  json->reserve(256 + msg.via.size() + msg.contact.size() + msg.user_agent.size());
  json->append("{\"version\":").append(std::to_string(packet.version));
  AppendField(json, "from_host", msg.from.host);
  AppendField(json, "to_host", msg.to.host);
  AppendField(json, "user_agent", msg.user_agent);
  AppendField(json, "server", msg.server);
  AppendField(json, "via", msg.via);
  AppendField(json, "contact", msg.contact);
  AppendField(json, "authorization", msg.authorization_user);
  AppendField(json, "content_type", msg.content_type);
  AppendField(json, "content_length", msg.content_length);
  AppendField(json, "cseq", msg.cseq);
  AppendField(json, "expires", msg.expires);
  AppendField(json, "max_forwards", msg.max_forwards);
  AppendField(json, "response_code", status);
  AppendField(json, "response_reason", msg.reason);
  AppendField(json, "request_uri", msg.request_uri);
  AppendField(json, "from_tag", msg.from.tag);
  AppendField(json, "to_tag", msg.to.tag);
  AppendField(json, "branch", msg.branch);
  AppendField(json, "x_call_id", msg.x_call_id);
  if (!custom.empty()) {
    json->append(",\"custom_headers\":{");
    for (size_t i = 0; i < custom.size(); ++i) {
      if (i > 0) json->push_back(',');
      text::AppendJsonString(custom[i].first, json);
      json->push_back(':');
      text::AppendJsonString(custom[i].second, json);
    }
    json->push_back('}');
  }
  json->push_back('}');
}

bool BuildSip(const HepPacket& packet, const SipOptions& options, CaptureRecord* out, DropReason* reason) {
  thread_local SipMessage msg;  // reused: other_headers keeps its capacity
  if (!ParseSip(packet.payload, &msg, reason)) return false;
  const std::string_view method = msg.effective_method();
  if (Listed(options.discard_methods, method)) return Fail(DropReason::kDiscarded, reason);
  // Every SIP field is a view of the payload cut at ASCII delimiters: valid when the payload is.
  if (!text::IsValidUtf8(packet.payload)) return Fail(DropReason::kInvalidUtf8, reason);

  // The aleg headers present, in the configured order (repeats in the list named once).
  thread_local std::vector<std::pair<std::string_view, std::string_view>> custom;
  custom.clear();
  for (const auto& name : options.aleg_ids) {
    const std::string_view value = FindSipHeader(msg, name);
    if (value.empty()) continue;
    bool repeated = false;
    for (const auto& [seen, _] : custom) repeated = repeated || EqualsNoCase(seen, name);
    if (!repeated) custom.emplace_back(name, value);
  }
  const std::string_view aleg = custom.empty() ? std::string_view() : custom.front().second;

  const std::string status = msg.is_request ? std::string() : std::to_string(msg.status_code);
  out->effective_method.assign(method);
  out->session_id.assign(msg.call_id);
  out->caller.assign(msg.from.user);
  out->callee.assign(msg.to.user);
  out->method = msg.is_request ? std::string(msg.method) : status;
  out->response_code = status;
  out->cseq_method.assign(msg.cseq_method);
  if (!packet.correlation_id.empty() && (aleg.empty() || !options.force_aleg_id)) {
    out->cid = packet.correlation_id;
  } else if (!aleg.empty()) {
    out->cid.assign(aleg);
  } else {
    out->cid.assign(msg.call_id);
  }
  if (msg.to.user.empty() || msg.to.host.empty()) {
    out->aor.assign(msg.to.user.empty() ? msg.to.host : msg.to.user);
  } else {
    out->aor.reserve(msg.to.user.size() + 1 + msg.to.host.size());
    out->aor.assign(msg.to.user).append("@").append(msg.to.host);
  }
  out->contact.assign(msg.contact);
  out->expires.assign(msg.expires);
  out->user_agent.assign(msg.user_agent);
  if (!Listed(options.censored_methods, method)) out->payload.assign(packet.payload);
  SipDataExtra(packet, msg, status, custom, &out->data_extra);
  return true;
}

}  // namespace

bool BuildRecord(const HepPacket& packet, const SipOptions& sip, int64_t received_us, CaptureRecord* out,
                 DropReason* reason) {
  *out = CaptureRecord{};
  if (!text::IsValidUtf8(packet.correlation_id)) return Fail(DropReason::kInvalidUtf8, reason);
  out->proto_type = packet.proto_type;
  // HOMER stored a packet without a time at 1970; its receive time is the better guess.
  out->timestamp_us = packet.ts_sec == 0 && packet.ts_usec == 0
                          ? received_us
                          : static_cast<int64_t>(packet.ts_sec) * 1000000 + packet.ts_usec;
  out->src_ip = packet.src_ip;
  out->dst_ip = packet.dst_ip;
  out->src_port = packet.src_port;
  out->dst_port = packet.dst_port;
  out->protocol = packet.ip_protocol;
  out->node_id = std::to_string(packet.capture_id);
  if (packet.proto_type == kProtoSip) {
    if (!BuildSip(packet, sip, out, reason)) return false;
  } else {
    if (!text::IsValidUtf8(packet.payload)) return Fail(DropReason::kInvalidUtf8, reason);
    out->session_id = packet.correlation_id;
    out->cid = packet.correlation_id;
    out->payload.assign(packet.payload);
    out->data_extra.append("{\"version\":")
        .append(std::to_string(packet.version))
        .append(",\"proto_type\":")
        .append(std::to_string(packet.proto_type))
        .push_back('}');
  }
  RandomUuid(&out->uuid);
  return true;
}

}  // namespace homer::ingest
