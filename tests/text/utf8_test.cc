#include "text/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace homer::text {
namespace {

TEST(Utf8, AcceptsWellFormedText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ASCII, longer than one word of eight bytes"));
  EXPECT_TRUE(IsValidUtf8(std::string("nul \0 inside", 12)));
  EXPECT_TRUE(IsValidUtf8("\xC2\x80 \xDF\xBF"));                // U+0080, U+07FF
  EXPECT_TRUE(IsValidUtf8("\xE0\xA0\x80 \xED\x9F\xBF \xEE\x80\x80 \xEF\xBF\xBF"));  // around the surrogates
  EXPECT_TRUE(IsValidUtf8("\xF0\x90\x80\x80 \xF4\x8F\xBF\xBF"));  // U+10000, U+10FFFF
  EXPECT_TRUE(IsValidUtf8("12345678caf\xC3\xA9"));                // after an ASCII word
}

TEST(Utf8, RefusesMalformedText) {
  for (const char* bad : {"\x80", "a\xBF", "\xC0\x80", "\xC1\xBF", "\xE0\x9F\xBF", "\xF0\x8F\xBF\xBF",  // overlong
                          "\xED\xA0\x80", "\xED\xBF\xBF",                                              // surrogates
                          "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xFF", "\xFE",                      // past U+10FFFF
                          "\xC3", "\xE2\x82", "\xF0\x9F\x98", "\xC3(", "\xE2\x28\xA1", "\xF0\x9F\x98("}) {
    EXPECT_FALSE(IsValidUtf8(bad)) << ::testing::PrintToString(std::string(bad));
    EXPECT_FALSE(IsValidUtf8(std::string("01234567") + bad + "01234567"));
  }
}

}  // namespace
}  // namespace homer::text
