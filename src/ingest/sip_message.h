#pragma once
/// \file
/// The SIP fields HOMER stores, parsed from one message without copying: every field is a view
/// into the payload. Compact header forms (i, f, t, m, v, c, l, k, ...), folded header lines,
/// IPv6 hosts in brackets and case-insensitive names are understood.

#include <string_view>
#include <vector>

#include "ingest/drop_reason.h"

namespace homer::ingest {

struct SipUri {
  std::string_view user, host;  ///< host without brackets or port
  std::string_view tag;         ///< ;tag= of From/To
};

struct SipMessage {
  bool is_request = false;
  std::string_view method;        ///< request method ("" for responses)
  std::string_view request_uri;
  int status_code = 0;            ///< responses only
  std::string_view reason;        ///< response reason phrase
  std::string_view version;       ///< "SIP/2.0"
  std::string_view call_id;
  SipUri from, to;
  std::string_view cseq;          ///< the whole value ("102 INVITE")
  std::string_view cseq_method;
  std::string_view contact;       ///< the whole value
  std::string_view via;           ///< the first Via's value
  std::string_view branch;        ///< that Via's branch
  std::string_view content_type, content_length;
  std::string_view user_agent, server;
  std::string_view authorization_user;  ///< username= of (Proxy-)Authorization
  std::string_view authorization;       ///< the whole (Proxy-)Authorization value
  std::string_view p_asserted_identity, reason_header, diversion;
  std::string_view expires, max_forwards, x_rtp_stat, x_call_id;
  /// Other headers by name, in order (for ingest.sip.aleg_ids and custom headers).
  std::vector<std::pair<std::string_view, std::string_view>> other_headers;

  /// The CSeq method for a response, the request method otherwise: HOMER routes by it.
  std::string_view effective_method() const { return is_request ? method : cseq_method; }
};

/// Parse `payload` as one SIP message (start line + headers; the body is not parsed). False with
/// `*reason` (kNotSip, kSipNoCallId, kSipBadCSeq) when it is not one HOMER can store.
bool ParseSip(std::string_view payload, SipMessage* out, DropReason* reason);

}  // namespace homer::ingest
