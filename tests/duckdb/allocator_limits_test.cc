#include "duckdb/allocator_limits.h"

#include <gtest/gtest.h>

#include "duckdb/database.h"
#include "testing/lake_fixture.h"

namespace homer::duckdb {
namespace {

/// An in-memory database without extensions, and the bounds lifted again at the end.
class AllocatorLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DatabaseOptions options;
    options.extension_dir = homer::testing::ExtensionDir();
    options.extensions = {};
    auto db = OpenDatabase(options);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    auto con = Connect(db_);
    ASSERT_TRUE(con.ok()) << con.status();
    con_ = std::move(*con);
  }
  void TearDown() override {
    LimitAllocations({});
    OnRefusedAllocation(nullptr);
  }

  Database db_;
  Connection con_;
};

TEST_F(AllocatorLimitsTest, AValueOverTheCapFailsItsQueryOnly) {
  std::vector<std::string> refused;
  OnRefusedAllocation([&](const std::string& bound) { refused.push_back(bound); });
  LimitAllocations({.max_allocation = 32'000'000, .max_allocation_name = "cap.key", .max_allocation_text = "32MB"});
  auto big = QueryValue(con_, "SELECT length(repeat('x', 100000000))", {});
  ASSERT_FALSE(big.ok());
  EXPECT_TRUE(big.status().IsInvalid()) << big.status();  // the query alone is too large: not retryable
  EXPECT_NE(big.status().message().find("needs a single allocation of 134.2 MB"), std::string::npos) << big.status();
  EXPECT_NE(big.status().message().find("more than cap.key (32MB) allows"), std::string::npos) << big.status();
  EXPECT_EQ(refused, std::vector<std::string>{"cap.key"});
  auto small = QueryValue(con_, "SELECT length(repeat('x', 1000000))", {});
  ASSERT_TRUE(small.ok()) << small.status();
  EXPECT_EQ(*small, "1000000");
}

TEST_F(AllocatorLimitsTest, ManyValuesStopAtTheCeiling) {
  const int64_t before = AllocatedBytes();
  LimitAllocations({.ceiling = static_cast<uint64_t>(before) + 200'000'000, .ceiling_name = "ceiling.key",
                    .ceiling_text = "200MB more"});
  const std::string sql = "SELECT max(length(repeat('x', 10000000) || range::VARCHAR)) FROM range(";
  auto many = QueryValue(con_, sql + "50)", {});  // 50 values of 10 MB in one vector
  ASSERT_FALSE(many.ok());
  EXPECT_TRUE(many.status().IsOutOfMemory()) << many.status();  // other queries' memory counts: retryable
  EXPECT_NE(many.status().message().find("past ceiling.key (200MB more)"), std::string::npos) << many.status();
  auto few = QueryValue(con_, sql + "5)", {});
  ASSERT_TRUE(few.ok()) << few.status();
  EXPECT_EQ(*few, "10000001");
  EXPECT_LT(AllocatedBytes() - before, 20'000'000);  // what the queries held is given back
}

TEST_F(AllocatorLimitsTest, OtherOutOfMemoryErrorsAreLeftAlone) {
  EXPECT_EQ(ExplainRefusedAllocation("Out of Memory Error: failed to pin block"), std::nullopt);
  EXPECT_EQ(ExplainRefusedAllocation("Failed to allocate block of 100 bytes (bad allocation)"), std::nullopt);
}

}  // namespace
}  // namespace homer::duckdb
