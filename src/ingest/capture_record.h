#pragma once
/// \file
/// One captured packet in HOMER's column vocabulary: what the writer appends. Which table and
/// which of these columns a table has is the lake's business (lake/hep_tables.h); ingest only says
/// what the packet means.

#include <cstdint>
#include <string>
#include <vector>

#include "ingest/drop_reason.h"
#include "ingest/hep_packet.h"

namespace homer::ingest {

/// ingest.sip: HOMER's SIP options.
struct SipOptions {
  std::vector<std::string> aleg_ids;          ///< headers holding the A-leg Call-ID (X-CID, ...)
  bool force_aleg_id = false;                 ///< the aleg header wins over chunk 17
  std::vector<std::string> censored_methods;  ///< these methods are stored without their payload
  std::vector<std::string> discard_methods;   ///< these methods are dropped (kDiscarded)
};

struct CaptureRecord {
  uint32_t proto_type = 0;
  std::string effective_method;  ///< SIP only: routes to _call/_registration/_default
  int64_t timestamp_us = 0;      ///< UTC microseconds since the epoch (receive time when the packet had none)
  std::string uuid;              ///< UUIDv4-shaped, random
  std::string session_id;        ///< SIP: Call-ID; otherwise the correlation id
  std::string caller, callee;    ///< From / To user
  std::string src_ip, dst_ip;
  uint32_t src_port = 0, dst_port = 0;
  std::string method;            ///< request method, or the status code of a response
  std::string response_code;     ///< status code of a response ("" for requests)
  std::string cseq_method;
  uint32_t protocol = 0;         ///< IP protocol (chunk 2)
  std::string node_id;           ///< capture id as decimal text
  std::string cid;               ///< correlation id, else an aleg header, else Call-ID
  std::string aor;               ///< To user@host (registrations)
  std::string contact, expires, user_agent;
  std::string payload;
  std::string data_extra;        ///< JSON text
};

/// Build the record of a decoded packet. SIP (proto 1) payloads are parsed; `received_us` is the
/// timestamp of a packet that carries none. False with `*reason` when the packet is dropped
/// (not SIP, discarded method, invalid UTF-8, ...).
bool BuildRecord(const HepPacket& packet, const SipOptions& sip, int64_t received_us, CaptureRecord* out,
                 DropReason* reason);

}  // namespace homer::ingest
