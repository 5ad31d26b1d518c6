#include "http/request_framing.h"

#include <gtest/gtest.h>

namespace homer::http {
namespace {

using State = RequestFrame::State;

RequestFrame Frame(const std::string& in, size_t max_header = 1024, int64_t max_body = 100) {
  return FrameRequest(in, max_header, max_body);
}

TEST(RequestFraming, WaitsForTheHeadersThenTheContentLengthBody) {
  EXPECT_EQ(Frame("GET /health HTTP/1.1\r\nHost: x\r\n").state, State::kIncomplete);
  const std::string head = "POST /q HTTP/1.1\r\ncontent-length:  5 \r\n\r\n";
  auto f = Frame(head + "{\"a\"");
  EXPECT_EQ(f.state, State::kIncomplete);
  EXPECT_EQ(f.header_end, head.size());
  EXPECT_EQ(f.end, head.size() + 5);  // known before the body is in
  f = Frame(head + "{\"a\"}GET / HTTP/1.1\r\n");  // a pipelined request behind it is not part of it
  EXPECT_EQ(f.state, State::kComplete);
  EXPECT_EQ(f.end, head.size() + 5);
  f = Frame("GET /health HTTP/1.1\r\n\r\nGET");
  EXPECT_EQ(f.state, State::kComplete);
  EXPECT_EQ(f.end, 24u);
  // A search resumed where the previous one stopped still finds a blank line split across reads.
  f = FrameRequest("GET /health HTTP/1.1\r\n\r\n", 1024, 100, /*searched=*/23);
  EXPECT_EQ(f.state, State::kComplete);
  EXPECT_EQ(f.end, 24u);
}

TEST(RequestFraming, AnUnusableContentLengthLeavesTheBodyUnread) {
  for (const char* length : {"101", "-5", "12abc", "", "99999999999999999999"}) {
    auto f = Frame(std::string("POST /q HTTP/1.1\r\nContent-Length: ") + length + "\r\n\r\n{}");
    EXPECT_EQ(f.state, State::kHeadersOnly) << length;
    EXPECT_EQ(f.end, f.header_end) << length;
  }
}

TEST(RequestFraming, FramesChunkedBodiesWithTheirTrailer) {
  const std::string head = "POST /q HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n";
  EXPECT_EQ(Frame(head + "4;ext=1\r\nabcd\r\n").state, State::kIncomplete);
  EXPECT_EQ(Frame(head + "4\r\nabcd\r\n0\r\n").state, State::kIncomplete);
  auto f = Frame(head + "4\r\nabcd\r\n0\r\n\r\nNEXT");
  EXPECT_EQ(f.state, State::kComplete);
  EXPECT_EQ(f.end, head.size() + 14);
  f = Frame(head + "0\r\nX-Trailer: 1\r\n\r\nNEXT");
  EXPECT_EQ(f.state, State::kComplete);
  EXPECT_EQ(f.end, head.size() + 19);
  EXPECT_EQ(Frame(head + "zz\r\n").status, 400);
  EXPECT_EQ(Frame(head + "4\r\nabcdXY").status, 400);
  EXPECT_EQ(Frame(head + "65\r\n").status, 413);  // 101 bytes > max_body 100
  EXPECT_EQ(Frame(head + std::string(2000, '1')).status, 400);
  EXPECT_EQ(Frame("POST /q HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n").status, 501);
}

TEST(RequestFraming, HeadersBeyondTheirBoundAreRefused) {
  EXPECT_EQ(Frame("GET / HTTP/1.1\r\nX: " + std::string(2000, 'a')).status, 431);
  EXPECT_EQ(Frame("GET / HTTP/1.1\r\nX: " + std::string(1100, 'a') + "\r\n\r\n").status, 431);
  EXPECT_EQ(Frame("GET / HTTP/1.1\r\nX: " + std::string(900, 'a') + "\r\n\r\n").state, State::kComplete);
}

TEST(RequestFraming, FindsExpectContinue) {
  const std::string in = "POST /q HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n";
  auto f = Frame(in);
  EXPECT_EQ(f.state, State::kIncomplete);
  EXPECT_TRUE(f.expect_continue);
  EXPECT_EQ(in.substr(f.expect_offset, f.expect_length), "Expect: 100-continue\r\n");
}

}  // namespace
}  // namespace homer::http
