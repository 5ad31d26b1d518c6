#pragma once
/// \file
/// Where the next HTTP/1.x request ends in a connection's buffered bytes: the request line and
/// headers, then a Content-Length or chunked body. The front buffers a whole request before a
/// worker sees it, so a slow client never holds a worker; the route checks (token, size) still
/// run in the worker, on the parsed request.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace homer::http {

struct RequestFrame {
  enum class State {
    kIncomplete,   ///< more bytes are needed
    kComplete,     ///< `end` bytes are the whole request
    kHeadersOnly,  ///< the body's length is not a usable byte count (or too large): serve the
                   ///< headers (the route checks refuse it) and close, the body unread
    kRefused,      ///< answer `status` with `reason` and close
  };
  State state = State::kIncomplete;
  size_t header_end = 0;  ///< bytes of the request line and headers with the blank line; 0 until all in
  size_t end = 0;  ///< the request's bytes: kComplete / kHeadersOnly, and kIncomplete with a Content-Length
  bool expect_continue = false;  ///< the client waits for "100 Continue" before sending its body
  size_t expect_offset = 0, expect_length = 0;  ///< the Expect header line, to drop before serving
  int status = 0;
  std::string reason;
};

/// Frame the request at the start of `buffered`. `searched`: bytes already searched for the end of
/// the headers (a client that trickles them is not rescanned from the start at every read).
RequestFrame FrameRequest(std::string_view buffered, size_t max_header_bytes, int64_t max_body_bytes,
                          size_t searched = 0);

}  // namespace homer::http
