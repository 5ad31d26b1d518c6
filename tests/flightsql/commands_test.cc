#include "flightsql/commands.h"

#include <google/protobuf/any.pb.h>
#include <gtest/gtest.h>

namespace homer::flightsql {
namespace {

TEST(FlightSqlCommands, ParsesStatementQuery) {
  pb::CommandStatementQuery query;
  query.set_query("SELECT 1");
  auto parsed = ParseCommand(PackAny(query));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  auto* q = std::get_if<pb::CommandStatementQuery>(&*parsed);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->query(), "SELECT 1");
}

TEST(FlightSqlCommands, TypeUrlIsTheSpecs) {
  google::protobuf::Any any;
  ASSERT_TRUE(any.ParseFromString(PackAny(pb::CommandGetCatalogs())));
  EXPECT_EQ(any.type_url(), "type.googleapis.com/arrow.flight.protocol.sql.CommandGetCatalogs");
}

TEST(FlightSqlCommands, ParsesEveryCatalogCommand) {
  pb::CommandGetTables tables;
  tables.set_catalog("homer_lake");
  tables.add_table_types("BASE TABLE");
  tables.set_include_schema(true);
  auto parsed = ParseCommand(PackAny(tables));
  ASSERT_TRUE(parsed.ok());
  auto* t = std::get_if<pb::CommandGetTables>(&*parsed);
  ASSERT_NE(t, nullptr);
  EXPECT_TRUE(t->has_catalog());
  EXPECT_FALSE(t->has_table_name_filter_pattern());
  EXPECT_TRUE(t->include_schema());
  EXPECT_TRUE(std::holds_alternative<pb::CommandGetSqlInfo>(*ParseCommand(PackAny(pb::CommandGetSqlInfo()))));
  EXPECT_TRUE(std::holds_alternative<pb::CommandGetDbSchemas>(*ParseCommand(PackAny(pb::CommandGetDbSchemas()))));
  EXPECT_TRUE(
      std::holds_alternative<pb::CommandGetCrossReference>(*ParseCommand(PackAny(pb::CommandGetCrossReference()))));
  EXPECT_TRUE(
      std::holds_alternative<pb::CommandStatementUpdate>(*ParseCommand(PackAny(pb::CommandStatementUpdate()))));
}

TEST(FlightSqlCommands, RefusesUnknownMessagesAndGarbage) {
  auto unknown = ParseCommand(PackAny(pb::ActionCreatePreparedStatementRequest()));
  ASSERT_FALSE(unknown.ok());
  EXPECT_TRUE(unknown.status().IsInvalid());
  EXPECT_NE(unknown.status().message().find("ActionCreatePreparedStatementRequest"), std::string::npos);
  auto garbage = ParseCommand("\xff\xff\xff not protobuf");
  ASSERT_FALSE(garbage.ok());
  EXPECT_TRUE(garbage.status().IsInvalid());
  // Plain Flight's SQL text is not a Flight SQL command.
  EXPECT_FALSE(ParseCommand("SELECT 1").ok());
}

TEST(FlightSqlCommands, UnpackAnyChecksTheType) {
  pb::ActionCreatePreparedStatementRequest request;
  request.set_query("SELECT 2");
  auto ok = UnpackAny<pb::ActionCreatePreparedStatementRequest>(PackAny(request));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->query(), "SELECT 2");
  EXPECT_FALSE(UnpackAny<pb::ActionClosePreparedStatementRequest>(PackAny(request)).ok());
}

}  // namespace
}  // namespace homer::flightsql
