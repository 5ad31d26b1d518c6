#include "lake/volume.h"

#include <gtest/gtest.h>

namespace homer::lake {
namespace {

TEST(Volume, CatalogNamingRule) {
  EXPECT_EQ(CatalogName("homer_lake", "default"), "homer_lake");
  EXPECT_EQ(CatalogName("homer_lake", "hot"), "homer_lake_hot");
  EXPECT_EQ(CatalogName("homer_lake", "cold"), "homer_lake_cold");
}

}  // namespace
}  // namespace homer::lake
