#include "http/request_framing.h"

#include <strings.h>

namespace homer::http {
namespace {

constexpr size_t kMaxChunkLine = 1024;  ///< a chunk-size line with its extensions

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view Trim(std::string_view s) {
  const size_t first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

RequestFrame Refuse(RequestFrame f, int status, std::string reason) {
  f.state = RequestFrame::State::kRefused;
  f.status = status;
  f.reason = std::move(reason);
  return f;
}

std::string TooLarge(int64_t max_body) {
  return "request body is larger than node.http.max_body_bytes (" + std::to_string(max_body) + ")";
}

/// Find the end of a chunked body that starts at f.header_end.
RequestFrame FrameChunked(std::string_view in, RequestFrame f, size_t max_header, int64_t max_body) {
  size_t pos = f.header_end;
  int64_t total = 0;
  for (;;) {
    const size_t eol = in.find("\r\n", pos);
    if (eol == std::string_view::npos || eol - pos > kMaxChunkLine) {
      if (in.size() - pos > kMaxChunkLine) return Refuse(std::move(f), 400, "chunk size line is too long");
      return f;
    }
    std::string_view line = in.substr(pos, eol - pos);
    const std::string_view hex = Trim(line.substr(0, line.find(';')));  // no extensions
    if (hex.empty() || hex.size() > 15 || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos) {
      return Refuse(std::move(f), 400, "chunk size '" + std::string(hex.substr(0, 32)) + "' is not a hex number");
    }
    const int64_t size = std::stoll(std::string(hex), nullptr, 16);
    if (size == 0) {
      // The last chunk, then trailer lines up to an empty line.
      const size_t trailer = eol + 2;
      if (in.size() < trailer + 2) return f;
      const size_t blank = in.substr(trailer, 2) == "\r\n" ? trailer : in.find("\r\n\r\n", trailer);
      if (blank == std::string_view::npos) {
        if (in.size() - trailer > max_header) return Refuse(std::move(f), 431, "chunked trailer is too large");
        return f;
      }
      f.state = RequestFrame::State::kComplete;
      f.end = blank == trailer ? trailer + 2 : blank + 4;
      return f;
    }
    total += size;
    if (total > max_body) return Refuse(std::move(f), 413, TooLarge(max_body));
    const size_t next = eol + 2 + static_cast<size_t>(size) + 2;
    if (in.size() < next) return f;
    if (in.substr(next - 2, 2) != "\r\n") return Refuse(std::move(f), 400, "chunk data does not end with CRLF");
    pos = next;
  }
}

}  // namespace

RequestFrame FrameRequest(std::string_view in, size_t max_header_bytes, int64_t max_body_bytes, size_t searched) {
  RequestFrame f;
  const size_t blank = in.find("\r\n\r\n", searched > 3 ? searched - 3 : 0);
  if (blank == std::string_view::npos || blank + 4 > max_header_bytes) {
    if (blank != std::string_view::npos || in.size() >= max_header_bytes) {
      return Refuse(std::move(f), 431, "request line and headers are larger than node.http.max_header_bytes (" +
                                           std::to_string(max_header_bytes) + ")");
    }
    return f;
  }
  f.header_end = blank + 4;

  std::string_view content_length, transfer_encoding;
  bool has_length = false, has_encoding = false;
  for (size_t line = in.find("\r\n") + 2; line < blank + 2;) {
    const size_t eol = in.find("\r\n", line);
    const std::string_view header = in.substr(line, eol - line);
    const size_t colon = header.find(':');
    if (colon != std::string_view::npos) {
      const std::string_view name = header.substr(0, colon), value = Trim(header.substr(colon + 1));
      // The first of a repeated header counts, as for the library that parses the request.
      if (IEquals(name, "Content-Length") && !has_length) {
        content_length = value;
        has_length = true;
      } else if (IEquals(name, "Transfer-Encoding") && !has_encoding) {
        transfer_encoding = value;
        has_encoding = true;
      } else if (IEquals(name, "Expect") && value == "100-continue") {
        f.expect_continue = true;
        f.expect_offset = line;
        f.expect_length = eol + 2 - line;
      }
    }
    line = eol + 2;
  }

  if (has_encoding) {
    if (!IEquals(transfer_encoding, "chunked")) {
      return Refuse(std::move(f), 501, "Transfer-Encoding '" + std::string(transfer_encoding.substr(0, 32)) +
                                           "' is not supported (only chunked)");
    }
    return FrameChunked(in, std::move(f), max_header_bytes, max_body_bytes);
  }
  if (!has_length) {
    f.state = RequestFrame::State::kComplete;
    f.end = f.header_end;
    return f;
  }
  const bool digits = !content_length.empty() && content_length.size() <= 18 &&
                      content_length.find_first_not_of("0123456789") == std::string_view::npos;
  if (!digits || std::stoll(std::string(content_length)) > max_body_bytes) {
    f.state = RequestFrame::State::kHeadersOnly;
    f.end = f.header_end;
    return f;
  }
  f.end = f.header_end + std::stoull(std::string(content_length));
  if (in.size() >= f.end) f.state = RequestFrame::State::kComplete;
  return f;
}

}  // namespace homer::http
