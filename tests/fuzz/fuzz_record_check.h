#pragma once
// What every record built from fuzzed input must satisfy: valid UTF-8 text and a data_extra the
// lake's JSON column accepts.
#include <nlohmann/json.hpp>

#include "ingest/capture_record.h"
#include "text/utf8.h"

namespace homer::ingest {

inline void CheckRecord(const CaptureRecord& r) {
  for (const std::string* field : {&r.effective_method, &r.uuid, &r.session_id, &r.caller, &r.callee, &r.src_ip,
                                  &r.dst_ip, &r.method, &r.response_code, &r.cseq_method, &r.node_id, &r.cid, &r.aor,
                                  &r.contact, &r.expires, &r.user_agent, &r.payload, &r.data_extra}) {
    if (!text::IsValidUtf8(*field)) __builtin_trap();
  }
  if (r.uuid.size() != 36 || !nlohmann::json::accept(r.data_extra)) __builtin_trap();
}

}  // namespace homer::ingest
