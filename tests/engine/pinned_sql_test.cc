#include "engine/pinned_sql.h"

#include <gtest/gtest.h>

namespace homer::engine {
namespace {

LakeLayout TwoVolumes() {
  lake::MergedTable t{"t", {{"v", "BIGINT"}}, {{"hot", {{"v", "BIGINT"}}}, {"cold", {{"v", "BIGINT"}}}}, {}};
  return {"lake", true, {{"hot", "lake_hot", "", "", ""}, {"cold", "lake_cold", "", "", ""}}, {t}};
}

lake::SnapshotPin Pin() {
  lake::SnapshotPin pin;
  pin.versions = {{"lake_hot", 7}, {"lake_cold", 3}};
  return pin;
}

TEST(PinnedSql, MergedTablesBecomeTheViewAtThePinnedSnapshots) {
  const std::string sql = "SELECT count(*) FROM \"lake\" . main.\"t\" x WHERE v > 1";
  auto out = PinnedSql(sql, {{"lake", "main", "t", "x", 21, false}}, TwoVolumes(), Pin());
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->rfind("SELECT count(*) FROM (SELECT ", 0), 0u) << *out;
  EXPECT_NE(out->find("\"lake_hot\".\"main\".\"t\" AS \"t\" AT (VERSION => 7)"), std::string::npos) << *out;
  EXPECT_NE(out->find("\"lake_cold\".\"main\".\"t\" AS \"t\" AT (VERSION => 3)"), std::string::npos) << *out;
  EXPECT_NE(out->find(") x WHERE v > 1"), std::string::npos) << *out;  // the query's own alias stays
}

TEST(PinnedSql, VolumeTablesReadTheirSnapshotAndOthersAreLeftAlone) {
  const auto layout = TwoVolumes();
  auto out = PinnedSql("SELECT * FROM lake_hot.t, lake_hot.main.t AS y, other.main.t, u",
                       {{"", "lake_hot", "t", "", 14, false}, {"lake_hot", "main", "t", "y", 26, false},
                        {"other", "main", "t", "", 48, false}, {"", "", "u", "", 62, false}},
                       layout, Pin());
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out,
            "SELECT * FROM \"lake_hot\".\"main\".\"t\" AS \"t\" AT (VERSION => 7), (SELECT * FROM "
            "\"lake_hot\".\"main\".\"t\" AT (VERSION => 7)) AS y, other.main.t, u");
  // A reference with its own AT clause is the client's time travel.
  EXPECT_EQ(PinnedSql("SELECT 1 FROM lake_hot.main.t AT (VERSION => 1)", {{"lake_hot", "main", "t", "", 14, true}},
                      layout, Pin()),
            "SELECT 1 FROM lake_hot.main.t AT (VERSION => 1)");
}

TEST(PinnedSql, AReferenceNotWhereTheParserSaidIsNotGuessed) {
  EXPECT_FALSE(PinnedSql("SELECT 1 FROM lake.main.t", {{"lake", "main", "t", "", 3, false}}, TwoVolumes(), Pin()));
}

TEST(SnapshotPin, EncodesAndDecodes) {
  lake::SnapshotPin pin = Pin();
  pin.buffered[{"buf", "hep_proto_1_call"}] = 42;
  auto back = lake::SnapshotPin::Decode(pin.Encode());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->versions, pin.versions);
  EXPECT_EQ(back->buffered, pin.buffered);
  EXPECT_FALSE(lake::SnapshotPin::Decode("v\tlake_hot\t-1\n").ok());
  EXPECT_FALSE(lake::SnapshotPin::Decode("v\tlake_hot\t7; DROP\n").ok());
  EXPECT_FALSE(lake::SnapshotPin::Decode("x\n").ok());
}

}  // namespace
}  // namespace homer::engine
