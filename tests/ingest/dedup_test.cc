#include "ingest/dedup.h"

#include <gtest/gtest.h>

#include <string>

namespace homer::ingest {
namespace {

TEST(DeduplicatorTest, SamePayloadWithinTheWindowIsADuplicate) {
  Deduplicator d;
  EXPECT_FALSE(d.IsDuplicate("INVITE a", 1000000));
  EXPECT_TRUE(d.IsDuplicate("INVITE a", 1000000 + 499999));
  EXPECT_FALSE(d.IsDuplicate("INVITE b", 1000000 + 1));
  // The window runs from the first sighting.
  EXPECT_FALSE(d.IsDuplicate("INVITE a", 1000000 + 500000));
  EXPECT_TRUE(d.IsDuplicate("INVITE a", 1000000 + 600000));
}

TEST(DeduplicatorTest, ForgetsOldPayloadsAndStaysBounded) {
  Deduplicator d(500000, 1000);
  for (int i = 0; i < 5000; ++i) EXPECT_FALSE(d.IsDuplicate("p" + std::to_string(i), 1000 + i));
  EXPECT_LE(d.size(), 1000u);
  // A recent one is still known; the oldest were forgotten to keep the bound.
  EXPECT_TRUE(d.IsDuplicate("p4999", 6000));
  EXPECT_FALSE(d.IsDuplicate("p0", 6000));
  // Past the window everything is forgotten.
  EXPECT_FALSE(d.IsDuplicate("x", 10000000));
  EXPECT_EQ(d.size(), 1u);
}

}  // namespace
}  // namespace homer::ingest
