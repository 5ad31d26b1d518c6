#include "config/byte_size.h"

#include <gtest/gtest.h>

namespace homer::config {
namespace {

TEST(ByteSize, ReadAsDuckDBReadsItsSettings) {
  EXPECT_EQ(ParseByteSize("512MB"), 512'000'000u);
  EXPECT_EQ(ParseByteSize("1GiB"), 1ull << 30);
  EXPECT_EQ(ParseByteSize(" 1.5 gb "), 1'500'000'000u);
  EXPECT_EQ(ParseByteSize("100"), 100u);
  EXPECT_EQ(ParseByteSize("100 bytes"), 100u);
  EXPECT_EQ(ParseByteSize("2KiB"), 2048u);
  EXPECT_EQ(ParseByteSize("1TB"), 1'000'000'000'000u);
  for (const char* bad : {"", "lots", "50%", "1 PB", "-5MB", "MB"}) EXPECT_EQ(ParseByteSize(bad), std::nullopt) << bad;
}

}  // namespace
}  // namespace homer::config
