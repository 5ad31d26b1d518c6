#include <algorithm>
#include <array>
#include <cstring>

#include "ingest/sip_message.h"

namespace homer::ingest {
namespace {

// RFC 3261 token characters (method names, header names).
constexpr std::array<bool, 256> MakeTokenTable() {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = table[c - 'a' + 'A'] = true;
  for (char c : std::string_view("-.!%*_+`'~")) table[static_cast<unsigned char>(c)] = true;
  return table;
}
constexpr std::array<bool, 256> kToken = MakeTokenTable();

bool IsToken(char c) { return kToken[static_cast<unsigned char>(c)]; }
bool IsBlank(char c) { return c == ' ' || c == '\t'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
char Lower(char c) { return static_cast<unsigned char>(c - 'A') < 26 ? static_cast<char>(c + 32) : c; }

bool AllTokens(std::string_view s) {
  for (char c : s) {
    if (!IsToken(c)) return false;
  }
  return !s.empty();
}

/// `lower` is a lowercase literal.
bool EqualsLower(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (Lower(s[i]) != lower[i]) return false;
  }
  return true;
}

bool StartsWithLower(std::string_view s, std::string_view lower) {
  return s.size() >= lower.size() && EqualsLower(s.substr(0, lower.size()), lower);
}

size_t FindLower(std::string_view s, std::string_view lower, size_t from) {
  for (size_t i = from; i + lower.size() <= s.size(); ++i) {
    if (EqualsLower(s.substr(i, lower.size()), lower)) return i;
  }
  return std::string_view::npos;
}

// Trims CR/LF too: a folded value keeps its line breaks inside but never at its ends.
std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

enum class Header : uint8_t {
  kOther, kCallId, kFrom, kTo, kCSeq, kContact, kVia, kContentType, kContentLength, kUserAgent, kServer,
  kAuthorization, kPAssertedIdentity, kReason, kDiversion, kExpires, kMaxForwards, kXRtpStat, kXCallId,
};
constexpr int kHeaderKinds = static_cast<int>(Header::kXCallId) + 1;

// By length first: one or two comparisons per header line.
Header Classify(std::string_view name) {
  switch (name.size()) {
    case 1:
      switch (Lower(name[0])) {
        case 'i': return Header::kCallId;
        case 'f': return Header::kFrom;
        case 't': return Header::kTo;
        case 'm': return Header::kContact;
        case 'v': return Header::kVia;
        case 'c': return Header::kContentType;
        case 'l': return Header::kContentLength;
        default: return Header::kOther;
      }
    case 2: return EqualsLower(name, "to") ? Header::kTo : Header::kOther;
    case 3: return EqualsLower(name, "via") ? Header::kVia : Header::kOther;
    case 4:
      if (EqualsLower(name, "cseq")) return Header::kCSeq;
      return EqualsLower(name, "from") ? Header::kFrom : Header::kOther;
    case 6:
      if (EqualsLower(name, "server")) return Header::kServer;
      return EqualsLower(name, "reason") ? Header::kReason : Header::kOther;
    case 7:
      if (EqualsLower(name, "call-id")) return Header::kCallId;
      if (EqualsLower(name, "contact")) return Header::kContact;
      return EqualsLower(name, "expires") ? Header::kExpires : Header::kOther;
    case 9:
      if (EqualsLower(name, "x-call-id")) return Header::kXCallId;
      return EqualsLower(name, "diversion") ? Header::kDiversion : Header::kOther;
    case 10:
      if (EqualsLower(name, "user-agent")) return Header::kUserAgent;
      return EqualsLower(name, "x-rtp-stat") ? Header::kXRtpStat : Header::kOther;
    case 12:
      if (EqualsLower(name, "content-type")) return Header::kContentType;
      return EqualsLower(name, "max-forwards") ? Header::kMaxForwards : Header::kOther;
    case 13: return EqualsLower(name, "authorization") ? Header::kAuthorization : Header::kOther;
    case 14: return EqualsLower(name, "content-length") ? Header::kContentLength : Header::kOther;
    case 19:
      if (EqualsLower(name, "proxy-authorization")) return Header::kAuthorization;
      return EqualsLower(name, "p-asserted-identity") ? Header::kPAssertedIdentity : Header::kOther;
    default: return Header::kOther;
  }
}

/// The value of parameter `lower_name` in a `;name=value;...` list (tag, branch).
std::string_view FindParam(std::string_view params, std::string_view lower_name) {
  size_t i = params.find(';');
  while (i != std::string_view::npos) {
    ++i;
    while (i < params.size() && IsSpace(params[i])) ++i;
    size_t name_end = i;
    while (name_end < params.size() && IsToken(params[name_end])) ++name_end;
    if (EqualsLower(params.substr(i, name_end - i), lower_name)) {
      size_t j = name_end;
      while (j < params.size() && IsSpace(params[j])) ++j;
      if (j < params.size() && params[j] == '=') {
        ++j;
        while (j < params.size() && IsSpace(params[j])) ++j;
        size_t end = j;
        while (end < params.size() && !IsSpace(params[end]) && params[end] != ';' && params[end] != ',' &&
               params[end] != '>') {
          ++end;
        }
        return params.substr(j, end - j);
      }
    }
    i = params.find(';', name_end);
  }
  return {};
}

// sip:/sips: user@host (IPv6 in brackets), tel: number. Other schemes leave user and host empty.
void ParseUri(std::string_view uri, SipUri* out) {
  const size_t colon = uri.find(':');
  if (colon == std::string_view::npos) return;
  const std::string_view scheme = uri.substr(0, colon);
  std::string_view rest = uri.substr(colon + 1);
  if (EqualsLower(scheme, "tel")) {
    out->user = rest.substr(0, rest.find_first_of(";?"));
    return;
  }
  if (!EqualsLower(scheme, "sip") && !EqualsLower(scheme, "sips")) return;
  // A user part may hold ';' (user parameters), never an unescaped '@'.
  const size_t at = rest.find('@');
  if (at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    out->user = userinfo.substr(0, userinfo.find(':'));  // without a password
    rest.remove_prefix(at + 1);
  }
  if (!rest.empty() && rest.front() == '[') {
    const size_t close = rest.find(']');
    out->host = rest.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1);
  } else {
    out->host = rest.substr(0, rest.find_first_of(":;?> \t"));
  }
}

// From/To: ["display name"] <uri>;params, or a bare uri;params (its ';' params are the header's).
void ParseNameAddr(std::string_view value, SipUri* out) {
  size_t start = 0;
  if (!value.empty() && value.front() == '"') {  // a quoted name may hold '<', ';' or '@'
    start = 1;
    while (start < value.size() && value[start] != '"') start += value[start] == '\\' ? 2 : 1;
    start = std::min(start + 1, value.size());
  }
  std::string_view uri, params;
  const size_t lt = value.find('<', start);
  if (lt != std::string_view::npos) {
    const size_t gt = value.find('>', lt + 1);
    uri = value.substr(lt + 1, gt == std::string_view::npos ? std::string_view::npos : gt - lt - 1);
    if (gt != std::string_view::npos) params = value.substr(gt + 1);
  } else {
    const std::string_view bare = value.substr(start);
    const size_t semi = bare.find(';');
    uri = bare.substr(0, semi);
    if (semi != std::string_view::npos) params = bare.substr(semi);
  }
  ParseUri(Trim(uri), out);
  out->tag = FindParam(params, "tag");
}

// username="x" (or a token) in a Digest credentials value.
std::string_view FindUsername(std::string_view value) {
  constexpr std::string_view kName = "username";
  for (size_t i = FindLower(value, kName, 0); i != std::string_view::npos; i = FindLower(value, kName, i + 1)) {
    if (i > 0 && IsToken(value[i - 1])) continue;
    size_t j = i + kName.size();
    while (j < value.size() && IsSpace(value[j])) ++j;
    if (j >= value.size() || value[j] != '=') continue;
    ++j;
    while (j < value.size() && IsSpace(value[j])) ++j;
    if (j < value.size() && value[j] == '"') {
      const size_t close = value.find('"', j + 1);
      return value.substr(j + 1, close == std::string_view::npos ? std::string_view::npos : close - j - 1);
    }
    size_t end = j;
    while (end < value.size() && !IsSpace(value[end]) && value[end] != ',') ++end;
    return value.substr(j, end - j);
  }
  return {};
}

// "102 INVITE": the method is the word after the number.
void ParseCSeq(std::string_view value, SipMessage* out) {
  out->cseq = value;
  size_t i = 0;
  while (i < value.size() && !IsSpace(value[i])) ++i;
  while (i < value.size() && IsSpace(value[i])) ++i;
  size_t end = i;
  while (end < value.size() && !IsSpace(value[end])) ++end;
  out->cseq_method = value.substr(i, end - i);
}

void ParseVia(std::string_view value, SipMessage* out) {
  out->via = Trim(value.substr(0, value.find(',')));  // the first of a comma-separated list
  out->branch = FindParam(out->via, "branch");
}

void Store(std::string_view name, std::string_view value, uint32_t* seen, SipMessage* out) {
  const Header kind = Classify(name);
  if (kind == Header::kOther) {
    out->other_headers.emplace_back(name, value);
    return;
  }
  // The first of a repeated header wins (the first Via is the last hop).
  const uint32_t bit = 1u << static_cast<int>(kind);
  if (*seen & bit) return;
  *seen |= bit;
  switch (kind) {
    case Header::kCallId: out->call_id = value; break;
    case Header::kFrom: ParseNameAddr(value, &out->from); break;
    case Header::kTo: ParseNameAddr(value, &out->to); break;
    case Header::kCSeq: ParseCSeq(value, out); break;
    case Header::kContact: out->contact = value; break;
    case Header::kVia: ParseVia(value, out); break;
    case Header::kContentType: out->content_type = value; break;
    case Header::kContentLength: out->content_length = value; break;
    case Header::kUserAgent: out->user_agent = value; break;
    case Header::kServer: out->server = value; break;
    case Header::kAuthorization:
      out->authorization = value;
      out->authorization_user = FindUsername(value);
      break;
    case Header::kPAssertedIdentity: out->p_asserted_identity = value; break;
    case Header::kReason: out->reason_header = value; break;
    case Header::kDiversion: out->diversion = value; break;
    case Header::kExpires: out->expires = value; break;
    case Header::kMaxForwards: out->max_forwards = value; break;
    case Header::kXRtpStat: out->x_rtp_stat = value; break;
    case Header::kXCallId: out->x_call_id = value; break;
    case Header::kOther: break;
  }
}
static_assert(kHeaderKinds <= 32, "the seen mask is 32 bits");

// "METHOD uri SIP/2.0" or "SIP/2.0 code reason".
bool ParseStartLine(std::string_view line, SipMessage* out) {
  if (StartsWithLower(line, "sip/2.0 ")) {
    out->version = line.substr(0, 7);
    std::string_view rest = line.substr(8);
    if (rest.size() < 3 || rest[0] < '1' || rest[0] > '6' || rest[1] < '0' || rest[1] > '9' || rest[2] < '0' ||
        rest[2] > '9' || (rest.size() > 3 && rest[3] != ' ')) {
      return false;
    }
    out->status_code = (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
    out->reason = rest.size() > 3 ? Trim(rest.substr(4)) : std::string_view();
    return true;
  }
  const size_t sp1 = line.find(' ');
  const size_t sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 == sp1) return false;
  const std::string_view method = line.substr(0, sp1);
  const std::string_view version = line.substr(sp2 + 1);
  const std::string_view uri = Trim(line.substr(sp1 + 1, sp2 - sp1 - 1));
  if (!AllTokens(method) || !EqualsLower(version, "sip/2.0") || uri.empty()) return false;
  out->is_request = true;
  out->method = method;
  out->request_uri = uri;
  out->version = version;
  return true;
}

bool Fail(DropReason why, DropReason* reason) {
  if (reason != nullptr) *reason = why;
  return false;
}

// One line without its line break (CRLF or bare LF) and where the next one starts.
struct Line {
  std::string_view text;
  const char* next;
};
Line NextLine(const char* p, const char* end) {
  const auto* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
  const char* line_end = nl != nullptr ? nl : end;
  const char* next = nl != nullptr ? nl + 1 : end;
  if (line_end > p && line_end[-1] == '\r') --line_end;
  return {std::string_view(p, static_cast<size_t>(line_end - p)), next};
}

}  // namespace

bool ParseSip(std::string_view payload, SipMessage* out, DropReason* reason) {
  auto other_headers = std::move(out->other_headers);  // keep its capacity across calls
  other_headers.clear();
  *out = SipMessage{};
  out->other_headers = std::move(other_headers);

  const char* p = payload.data();
  const char* const end = p + payload.size();
  if (payload.empty()) return Fail(DropReason::kNotSip, reason);
  const Line start = NextLine(p, end);
  if (!ParseStartLine(start.text, out)) return Fail(DropReason::kNotSip, reason);

  // A header is stored once its folded continuation lines (if any) have been seen.
  uint32_t seen = 0;
  std::string_view name;
  const char* value_begin = nullptr;
  const char* value_end = nullptr;
  const auto flush = [&] {
    if (value_begin == nullptr) return;
    Store(name, Trim(std::string_view(value_begin, static_cast<size_t>(value_end - value_begin))), &seen, out);
    value_begin = nullptr;
  };
  for (p = start.next; p < end;) {
    const Line line = NextLine(p, end);
    p = line.next;
    if (line.text.empty()) break;  // the empty line before the body
    if (IsBlank(line.text.front())) {
      // Folded: the view runs on to the end of this line (views cannot skip the line break).
      if (value_begin != nullptr) value_end = line.text.data() + line.text.size();
      continue;
    }
    flush();
    // name [blanks] ':' value; anything else is not a header line and is ignored.
    size_t i = 0;
    while (i < line.text.size() && IsToken(line.text[i])) ++i;
    const size_t name_size = i;
    while (i < line.text.size() && IsBlank(line.text[i])) ++i;
    if (name_size == 0 || i == line.text.size() || line.text[i] != ':') continue;
    name = line.text.substr(0, name_size);
    value_begin = line.text.data() + i + 1;
    value_end = line.text.data() + line.text.size();
  }
  flush();

  if (out->call_id.empty()) return Fail(DropReason::kSipNoCallId, reason);
  if (out->cseq_method.size() < 3) return Fail(DropReason::kSipBadCSeq, reason);
  return true;
}

std::string_view FindSipHeader(const SipMessage& message, std::string_view name) {
  switch (Classify(name)) {
    case Header::kCallId: return message.call_id;
    case Header::kCSeq: return message.cseq;
    case Header::kContact: return message.contact;
    case Header::kVia: return message.via;
    case Header::kContentType: return message.content_type;
    case Header::kContentLength: return message.content_length;
    case Header::kUserAgent: return message.user_agent;
    case Header::kServer: return message.server;
    case Header::kAuthorization: return message.authorization;
    case Header::kPAssertedIdentity: return message.p_asserted_identity;
    case Header::kReason: return message.reason_header;
    case Header::kDiversion: return message.diversion;
    case Header::kExpires: return message.expires;
    case Header::kMaxForwards: return message.max_forwards;
    case Header::kXRtpStat: return message.x_rtp_stat;
    case Header::kXCallId: return message.x_call_id;
    case Header::kFrom:
    case Header::kTo: return {};  // kept parsed, not whole
    case Header::kOther: break;
  }
  for (const auto& [header, value] : message.other_headers) {
    if (header.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < name.size() && same; ++i) same = Lower(header[i]) == Lower(name[i]);
    if (same) return value;
  }
  return {};
}

}  // namespace homer::ingest
