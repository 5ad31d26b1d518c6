#include "text/json_string.h"

#include <gtest/gtest.h>

#include <string>

namespace homer::text {
namespace {

std::string Json(std::string_view text) {
  std::string out = "x";
  AppendJsonString(text, &out);
  return out;
}

TEST(JsonString, EscapesWhatJsonRequires) {
  EXPECT_EQ(Json(""), "x\"\"");
  EXPECT_EQ(Json("plain"), "x\"plain\"");
  EXPECT_EQ(Json("a\"b\\c/d"), R"(x"a\"b\\c/d")");
  EXPECT_EQ(Json("\r\n\t\b\f"), R"(x"\r\n\t\b\f")");
  EXPECT_EQ(Json(std::string("\0\x01\x1f\x7f", 4)), "x\"\\u0000\\u0001\\u001f\x7f\"");
  EXPECT_EQ(Json("caf\xC3\xA9"), "x\"caf\xC3\xA9\"");  // UTF-8 passes as is
  EXPECT_EQ(Json("a\xC3z"), "x\"a\xEF\xBF\xBDz\"");  // invalid UTF-8 becomes U+FFFD
}

TEST(JsonString, FindsEscapesAtEveryPositionOfALongValue) {
  for (char special : {'"', '\\', '\n', '\x01', '\x1f'}) {
    for (size_t at = 0; at < 24; ++at) {
      std::string text(24, 'a');
      text[(at + 5) % 24] = special;
      std::string expected = "x\"";
      for (char c : text) {
        if (c == special) {
          expected += special == '"' ? "\\\"" : special == '\\' ? "\\\\" : special == '\n' ? "\\n"
                      : special == '\x01' ? "\\u0001" : "\\u001f";
        } else {
          expected += c;
        }
      }
      expected += '"';
      EXPECT_EQ(Json(text), expected) << int(special) << " at " << at;
    }
  }
}

}  // namespace
}  // namespace homer::text
