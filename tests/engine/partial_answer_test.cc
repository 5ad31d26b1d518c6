#include "engine/partial_answer.h"

#include <arrow/api.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace homer::engine {
namespace {

TEST(PartialAnswer, NamesTheMergedLakeAsDuckDBReadsIt) {
  EXPECT_TRUE(NamesCatalog({{"homer_lake", "main", "t"}}, "homer_lake"));
  EXPECT_TRUE(NamesCatalog({{"HOMER_LAKE", "main", "t"}}, "homer_lake"));  // identifiers ignore case
  EXPECT_TRUE(NamesCatalog({{"", "homer_lake", "t"}}, "homer_lake"));      // homer_lake.t
  EXPECT_TRUE(NamesCatalog({{"", "", "x"}, {"homer_lake", "main", "t"}}, "homer_lake"));
  EXPECT_FALSE(NamesCatalog({{"homer_lake_hot", "main", "t"}}, "homer_lake"));
  EXPECT_FALSE(NamesCatalog({{"", "", "homer_lake"}}, "homer_lake"));  // a table (or CTE) of that name
  EXPECT_FALSE(NamesCatalog({{"other", "homer_lake", "t"}}, "homer_lake"));
  EXPECT_FALSE(NamesCatalog({}, "homer_lake"));
}

TEST(PartialAnswer, MarksTextJsonAndSchema) {
  PartialAnswer none;
  auto schema = arrow::schema({arrow::field("a", arrow::int32())}, arrow::key_value_metadata({"k"}, {"v"}));
  EXPECT_EQ(WithPartialMark(schema, none), schema);

  PartialAnswer partial{{{"hot", "catalog /x.sqlite does not exist\nline two"}, {"warm", "locked"}}};
  const std::string text = partial.Text();
  EXPECT_EQ(text.find('\n'), std::string::npos) << text;  // fit for an HTTP header
  EXPECT_NE(text.find("volume 'hot'"), std::string::npos) << text;
  EXPECT_NE(text.find("volume 'warm' (not attached: locked)"), std::string::npos) << text;
  auto doc = nlohmann::json::parse(partial.Json());
  ASSERT_EQ(doc["missing_volumes"].size(), 2u);
  EXPECT_EQ(doc["missing_volumes"][0]["name"], "hot");
  EXPECT_EQ(doc["missing_volumes"][0]["reason"], "catalog /x.sqlite does not exist\nline two");
  EXPECT_EQ(doc["reason"], text);

  auto marked = WithPartialMark(schema, partial);
  ASSERT_TRUE(marked->metadata());
  EXPECT_EQ(marked->metadata()->Get("k").ValueOrDie(), "v");  // other keys kept
  EXPECT_EQ(marked->metadata()->Get(kPartialMetadataKey).ValueOrDie(), partial.Json());
  EXPECT_TRUE(marked->Equals(*schema));  // the fields are the same
}

}  // namespace
}  // namespace homer::engine
