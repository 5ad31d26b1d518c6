// hep_sender: HEP v3 load for the ingest receivers. Sends realistic SIP dialogs (calls:
// INVITE, 100, 180, 200, ACK, BYE, 200; registrations: REGISTER, 200), each with a unique Call-ID
// `<prefix>-<n, 10 digits>@bench` (with --scatter-ids, n times a constant modulo 10^10: unique ids in no
// time order, as real Call-IDs are), over UDP (sendmmsg) or TCP, at a target rate or as fast as it
// can, for N seconds or N dialogs. Dialog n is a registration when n % 4 == 3, a call otherwise;
// the last dialog is always finished. Prints one JSON object saying what was sent.
//
//   hep_sender --host 127.0.0.1 --port 9060 --seconds 5 [--rate 200000] [--dialogs N] [--tcp]
//              [--capture-id 2001] [--prefix bench-1] [--seed 1] [--ipv6] [--first 0] [--age-sec 0]
//              [--scatter-ids]
//
// Packets are built once per message kind; sending one copies its template and writes the
// Call-ID digits and the time in place, so one core sends far more than 200,000 packets/s.

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ingest/hep_builder.h"

namespace {

using Clock = std::chrono::steady_clock;
using homer::ingest::hepgen::Capture;
using homer::ingest::hepgen::Encode;

constexpr int kDigits = 10;
constexpr uint64_t kScatter = 6364136223ULL;  // --scatter-ids: prime to 10, so n -> n * kScatter is a bijection
constexpr uint32_t kSecMagic = 0x5EC0C0DE, kUsecMagic = 0x05EC0DE5;  // found and replaced in the templates

struct Options {
  std::string host = "127.0.0.1";
  int port = 9060;
  double seconds = 5;
  double rate = 0;       // packets/s, 0 = as fast as possible
  uint64_t dialogs = 0;  // 0 = until the time is up
  uint64_t first = 0;    // number of the first dialog
  uint32_t capture_id = 2001;
  std::string prefix;
  uint64_t seed = 0;
  bool tcp = false, ipv6 = false;
  int batch = 64;
  int64_t age_sec = 0;   // packets carry this many seconds before now (history for the lake)
  bool scatter_ids = false;
};

/// The Call-ID number of dialog n: n itself, or n * kScatter mod 10^10, so consecutive dialogs
/// get ids spread over the whole range.
uint64_t CallIdNumber(uint64_t n, bool scatter) {
  constexpr uint64_t kRange = 10000000000ULL;  // 10^kDigits
  if (!scatter) return n;
  return static_cast<uint64_t>((static_cast<unsigned __int128>(n % kRange) * kScatter) % kRange);
}

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr,
               "hep_sender: %s\nusage: hep_sender [--host H] [--port P] [--seconds S] [--rate PPS] [--dialogs N] "
               "[--first N] [--capture-id ID] [--prefix P] [--seed N] [--tcp] [--ipv6] [--batch N] [--age-sec N]\n"
               "       [--scatter-ids]\n",
               why);
  std::exit(2);
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Usage(("missing value for " + a).c_str());
      return argv[++i];
    };
    if (a == "--host") o.host = value();
    else if (a == "--port") o.port = std::stoi(value());
    else if (a == "--seconds") o.seconds = std::stod(value());
    else if (a == "--rate") o.rate = std::stod(value());
    else if (a == "--dialogs") o.dialogs = std::stoull(value());
    else if (a == "--first") o.first = std::stoull(value());
    else if (a == "--capture-id") o.capture_id = static_cast<uint32_t>(std::stoul(value()));
    else if (a == "--prefix") o.prefix = value();
    else if (a == "--seed") o.seed = std::stoull(value());
    else if (a == "--batch") o.batch = std::max(1, std::min(1024, std::stoi(value())));
    else if (a == "--age-sec") o.age_sec = std::stoll(value());
    else if (a == "--tcp") o.tcp = true;
    else if (a == "--ipv6") o.ipv6 = true;
    else if (a == "--scatter-ids") o.scatter_ids = true;
    else Usage(("unknown option " + a).c_str());
  }
  if (o.seed == 0) o.seed = std::random_device{}() | 1;
  if (o.prefix.empty()) o.prefix = "bench" + std::to_string(o.seed % 1000000);
  return o;
}

// ---- SIP texts: `@CID@` is the Call-ID, written in place for every dialog ----

std::string Sdp(const char* user, const char* ip) {
  return std::string("v=0\r\no=") + user + " 53655765 2353687637 IN IP4 " + ip +
         "\r\ns=-\r\nc=IN IP4 " + ip + "\r\nt=0 0\r\nm=audio 40376 RTP/AVP 0 8 18 101\r\n"
         "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:18 G729/8000\r\na=fmtp:18 annexb=no\r\n"
         "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n";
}

std::string Message(const std::string& start, const std::string& via, const std::string& cseq,
                    const std::string& extra, const std::string& body, bool to_tag) {
  std::string m = start + "\r\n";
  m += "Via: SIP/2.0/UDP " + via + ";branch=z9hG4bK-524287-1---4d1a2c5e7f3b9a10;rport\r\n";
  m += "Max-Forwards: 70\r\n";
  m += "From: \"Alice Liddell\" <sip:+15551000001@pbx.example.com>;tag=9fxced76sl\r\n";
  m += std::string("To: <sip:+15552000002@carrier.example.net>") + (to_tag ? ";tag=8321234356" : "") + "\r\n";
  m += "Call-ID: @CID@\r\n";
  m += "CSeq: " + cseq + "\r\n";
  m += extra;
  m += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  return m + body;
}

struct Kind {
  const char* name;
  std::string sip;
  bool from_caller;  // A -> B, else B -> A
};

std::vector<Kind> CallKinds() {
  const std::string a = "10.1.0.10:5060", b = "10.2.0.20:5060";
  const std::string ua = "User-Agent: PolycomVVX-VVX_450-UA/6.4.3.5018\r\n";
  const std::string server = "Server: Kamailio (5.6.3 (x86_64/linux))\r\n";
  const std::string contact_a = "Contact: <sip:+15551000001@10.1.0.10:5060;transport=udp>\r\n";
  const std::string contact_b = "Contact: <sip:+15552000002@10.2.0.20:5060;transport=udp>\r\n";
  const std::string allow = "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, REFER, NOTIFY\r\n";
  const std::string sdp_type = "Content-Type: application/sdp\r\n";
  const std::string ruri = "INVITE sip:+15552000002@carrier.example.net SIP/2.0";
  return {
      {"INVITE", Message(ruri, a, "1 INVITE", contact_a + ua + allow + "Supported: replaces, timer\r\n" + sdp_type,
                         Sdp("alice", "10.1.0.10"), false), true},
      {"100", Message("SIP/2.0 100 Trying", a, "1 INVITE", server, "", false), false},
      {"180", Message("SIP/2.0 180 Ringing", a, "1 INVITE", contact_b + server + allow, "", true), false},
      {"200", Message("SIP/2.0 200 OK", a, "1 INVITE", contact_b + server + allow + sdp_type, Sdp("bob", "10.2.0.20"),
                      true), false},
      {"ACK", Message("ACK sip:+15552000002@10.2.0.20:5060;transport=udp SIP/2.0", a, "1 ACK", contact_a + ua, "",
                      true), true},
      {"BYE", Message("BYE sip:+15552000002@10.2.0.20:5060;transport=udp SIP/2.0", a, "2 BYE",
                      ua + "Reason: Q.850;cause=16;text=\"Normal call clearing\"\r\n", "", true), true},
      {"200", Message("SIP/2.0 200 OK", a, "2 BYE", server, "", true), false},
  };
}

std::vector<Kind> RegisterKinds() {
  const std::string a = "10.1.0.11:5060";
  const std::string common = "Contact: <sip:+15551000003@10.1.0.11:5060;transport=udp>;expires=3600\r\n"
                             "User-Agent: Yealink SIP-T46S 66.86.0.15\r\nExpires: 3600\r\n"
                             "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, REFER, NOTIFY\r\n";
  const std::string auth = "Authorization: Digest username=\"15551000003\", realm=\"pbx.example.com\", "
                           "nonce=\"5f8a7c3e2b1d\", uri=\"sip:pbx.example.com\", response=\"0f3c9a2b7d4e1f6a\", "
                           "algorithm=MD5\r\n";
  return {
      {"REGISTER", Message("REGISTER sip:pbx.example.com SIP/2.0", a, "2 REGISTER", common + auth, "", false), true},
      {"200", Message("SIP/2.0 200 OK", a, "2 REGISTER", common + "Server: Kamailio (5.6.3 (x86_64/linux))\r\n"
                                                              "Date: Mon, 30 Nov 2026 05:00:00 GMT\r\n", "", true),
       false},
  };
}

/// A packet with the places to write the dialog number and the time.
struct Template {
  std::string bytes;
  size_t cid_digits = 0, ts_sec = 0, ts_usec = 0;
};

Template MakeTemplate(const Kind& kind, const Options& o) {
  Capture c;
  std::string sip = kind.sip;
  const std::string cid = o.prefix + "-" + std::string(kDigits, '0') + "@bench";
  sip.replace(sip.find("@CID@"), 5, cid);
  c.payload = sip;
  const std::string ip_a = o.ipv6 ? "2001:db8:1::10" : "10.1.0.10", ip_b = o.ipv6 ? "2001:db8:2::20" : "10.2.0.20";
  c.src_ip = kind.from_caller ? ip_a : ip_b;
  c.dst_ip = kind.from_caller ? ip_b : ip_a;
  c.ts_sec = kSecMagic;
  c.ts_usec = kUsecMagic;
  c.capture_id = o.capture_id;
  Template t;
  t.bytes = Encode(c);
  auto find = [&](uint32_t v) {
    const char be[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
    return t.bytes.find(std::string(be, 4));
  };
  t.ts_sec = find(kSecMagic);
  t.ts_usec = find(kUsecMagic);
  t.cid_digits = t.bytes.find(cid) + o.prefix.size() + 1;
  return t;
}

void Put32(char* p, uint32_t v) {
  p[0] = char(v >> 24);
  p[1] = char(v >> 16);
  p[2] = char(v >> 8);
  p[3] = char(v);
}

/// Walks dialogs and their messages in order, writing each packet into a buffer.
class Sequence {
 public:
  Sequence(const Options& o) : next_dialog_(o.first), scatter_(o.scatter_ids) {
    for (const auto& k : CallKinds()) call_.push_back(MakeTemplate(k, o));
    for (const auto& k : RegisterKinds()) register_.push_back(MakeTemplate(k, o));
  }
  static bool IsRegistration(uint64_t n) { return n % 4 == 3; }
  /// Write the next packet into `out` (resized); returns its size.
  size_t Next(std::string* out, uint32_t sec, uint32_t usec) {
    const auto& kinds = IsRegistration(next_dialog_) ? register_ : call_;
    const Template& t = kinds[message_];
    out->assign(t.bytes);
    char* p = out->data();
    uint64_t n = CallIdNumber(next_dialog_, scatter_);
    for (int i = kDigits - 1; i >= 0; --i, n /= 10) p[t.cid_digits + i] = static_cast<char>('0' + n % 10);
    Put32(p + t.ts_sec, sec);
    Put32(p + t.ts_usec, usec);
    if (++message_ == kinds.size()) {
      message_ = 0;
      ++next_dialog_;
      ++complete_;
      if (IsRegistration(next_dialog_ - 1)) {
        ++registrations_;
      } else {
        ++calls_;
      }
    }
    return out->size();
  }
  bool mid_dialog() const { return message_ != 0; }
  uint64_t complete() const { return complete_; }
  uint64_t calls() const { return calls_; }
  uint64_t registrations() const { return registrations_; }

 private:
  std::vector<Template> call_, register_;
  uint64_t next_dialog_;
  bool scatter_;
  size_t message_ = 0;
  uint64_t complete_ = 0, calls_ = 0, registrations_ = 0;
};

int Connect(const Options& o) {
  addrinfo hints{}, *found = nullptr;
  hints.ai_socktype = o.tcp ? SOCK_STREAM : SOCK_DGRAM;
  if (int rc = ::getaddrinfo(o.host.c_str(), std::to_string(o.port).c_str(), &hints, &found); rc != 0) {
    std::fprintf(stderr, "hep_sender: %s: %s\n", o.host.c_str(), gai_strerror(rc));
    std::exit(1);
  }
  const int fd = ::socket(found->ai_family, found->ai_socktype, 0);
  if (fd < 0 || ::connect(fd, found->ai_addr, found->ai_addrlen) != 0) {
    std::fprintf(stderr, "hep_sender: cannot connect to %s port %d: %s\n", o.host.c_str(), o.port,
                 std::strerror(errno));
    std::exit(1);
  }
  ::freeaddrinfo(found);
  const int big = 16 * 1024 * 1024;
  ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
  return fd;
}

bool SendAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = Parse(argc, argv);
  const int fd = Connect(o);
  Sequence seq(o);
  std::vector<std::string> slots(o.batch);
  std::vector<iovec> iov(o.batch);
  std::vector<mmsghdr> msgs(o.batch);
  std::string stream;  // TCP: the batch's packets back to back
  uint64_t packets = 0, bytes = 0, errors = 0;

  const auto start = Clock::now();
  const auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
  while (true) {
    // Stop between dialogs only: once the time is up or the dialogs are sent.
    const bool time_up = Clock::now() >= end;
    const bool enough = o.dialogs > 0 && seq.complete() >= o.dialogs;
    if (!seq.mid_dialog() && (enough || time_up)) break;
    if (o.rate > 0 && !time_up) {
      const double due = o.rate * std::chrono::duration<double>(Clock::now() - start).count();
      if (static_cast<double>(packets) >= due) {
        std::this_thread::sleep_for(std::chrono::microseconds(50));
        continue;
      }
    }
    const auto wall = std::chrono::system_clock::now().time_since_epoch();
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(wall).count() - o.age_sec * 1000000;
    const uint32_t sec = static_cast<uint32_t>(us / 1000000), usec = static_cast<uint32_t>(us % 1000000);
    int n = 0;
    stream.clear();
    while (n < o.batch) {
      if (!seq.mid_dialog() && ((o.dialogs > 0 && seq.complete() >= o.dialogs) || time_up)) break;
      const size_t size = seq.Next(&slots[n], sec, usec);
      if (o.tcp) stream += slots[n];
      iov[n] = {slots[n].data(), size};
      msgs[n] = {};
      msgs[n].msg_hdr.msg_iov = &iov[n];
      msgs[n].msg_hdr.msg_iovlen = 1;
      bytes += size;
      ++n;
    }
    if (o.tcp) {
      if (!SendAll(fd, stream.data(), stream.size())) {
        std::fprintf(stderr, "hep_sender: send failed: %s\n", std::strerror(errno));
        return 1;
      }
    } else {
      for (int off = 0; off < n;) {
        const int sent = ::sendmmsg(fd, msgs.data() + off, n - off, 0);
        if (sent < 0) {
          if (errno == EINTR) continue;
          ++errors;  // ECONNREFUSED (nobody listening yet) or ENOBUFS: the packet is lost
          ++off;
          continue;
        }
        off += sent;
      }
    }
    packets += n;
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  ::close(fd);
  std::printf(
      "{\"transport\":\"%s\",\"host\":\"%s\",\"port\":%d,\"packets\":%llu,\"bytes\":%llu,\"send_errors\":%llu,"
      "\"seconds\":%.3f,\"rate_pps\":%.0f,\"mbit_s\":%.1f,\"dialogs\":%llu,\"calls\":%llu,\"registrations\":%llu,"
      "\"first_dialog\":%llu,\"last_dialog\":%lld,\"capture_id\":%u,\"call_id_prefix\":\"%s\","
      "\"call_id_format\":\"<prefix>-<dialog%s, %d digits>@bench\",\"registration_dialogs\":\"n %% 4 == 3\","
      "\"seed\":%llu}\n",
      o.tcp ? "tcp" : "udp", o.host.c_str(), o.port, (unsigned long long)packets, (unsigned long long)bytes,
      (unsigned long long)errors, seconds, packets / seconds, bytes * 8 / seconds / 1e6,
      (unsigned long long)seq.complete(), (unsigned long long)seq.calls(), (unsigned long long)seq.registrations(),
      (unsigned long long)o.first, (long long)(o.first + seq.complete()) - 1, o.capture_id, o.prefix.c_str(),
      o.scatter_ids ? (" * " + std::to_string(kScatter) + " mod 10^10").c_str() : "", kDigits,
      (unsigned long long)o.seed);
  return 0;
}
