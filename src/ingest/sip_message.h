#pragma once
/// \file
/// The SIP fields HOMER stores, parsed from one message without copying: every field is a view
/// into the payload. Compact header forms (i, f, t, m, v, c, l, k, ...), folded header lines,
/// IPv6 hosts in brackets and case-insensitive names are understood. A folded value (continuation
/// lines starting with a space or tab) is one view from its first character to the end of its last
/// continuation line: it keeps the inner line breaks, which a view cannot skip.

#include <string_view>
#include <utility>
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
  std::string_view expires, max_forwards, x_rtp_stat;
  std::string_view x_call_id;     ///< the X-Call-ID header
  /// Every header not kept in a field above, by name as written, in order (ingest.sip.aleg_ids and
  /// custom headers). Repeats of a field's header are not listed: the first one wins.
  std::vector<std::pair<std::string_view, std::string_view>> other_headers;

  /// The CSeq method for a response, the request method otherwise: HOMER routes by it.
  std::string_view effective_method() const { return is_request ? method : cseq_method; }
};

/// Parse `payload` as one SIP message (start line + headers; the body is not parsed). False with
/// `*reason` (kNotSip, kSipNoCallId, kSipBadCSeq) when it is not one HOMER can store.
bool ParseSip(std::string_view payload, SipMessage* out, DropReason* reason);

/// The value of header `name` (case-insensitive, full or compact name): the named fields that keep
/// a whole value (Call-ID, X-Call-ID, CSeq, Contact, the first Via, ...), else the first of
/// `other_headers`; "" when absent. From and To are kept parsed only, so they give "".
std::string_view FindSipHeader(const SipMessage& message, std::string_view name);

}  // namespace homer::ingest
