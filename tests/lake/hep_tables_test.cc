#include "lake/hep_tables.h"

#include <gtest/gtest.h>

#include "duckdb/database.h"
#include "duckdb/sql_text.h"
#include "testing/lake_fixture.h"

namespace homer::lake {
namespace {

TEST(HepTables, RoutingAsHomer) {
  EXPECT_EQ(HepTableName(1, SipTableFor("INVITE")), "hep_proto_1_call");
  EXPECT_EQ(HepTableName(1, SipTableFor("BYE")), "hep_proto_1_call");
  EXPECT_EQ(HepTableName(1, SipTableFor("REGISTER")), "hep_proto_1_registration");
  EXPECT_EQ(HepTableName(1, SipTableFor("OPTIONS")), "hep_proto_1_default");
  EXPECT_EQ(HepTableName(5), "hep_proto_5_default");
  EXPECT_EQ(HepTableName(100), "hep_proto_100_default");
  EXPECT_EQ(HepTableName(77), "hep_proto_77_default");
  EXPECT_EQ(HepSchemaFor(1, SipTable::kCall), HepSchema::kCall);
  EXPECT_EQ(HepSchemaFor(34), HepSchema::kMedia);
  EXPECT_EQ(HepSchemaFor(53), HepSchema::kDns);
  EXPECT_EQ(HepSchemaFor(100), HepSchema::kLog);
  EXPECT_EQ(HepSchemaFor(77), HepSchema::kDefault);
}

TEST(HepTables, CreatedPartitionedAndSortedByTheRealExtension) {
  testing::TempDir dir;
  duckdb::DatabaseOptions options;
  options.extension_dir = testing::ExtensionDir();
  auto db = duckdb::OpenDatabase(options);
  ASSERT_TRUE(db.ok()) << db.status();
  auto con = duckdb::Connect(*db);
  ASSERT_TRUE(con.ok());
  ASSERT_TRUE(duckdb::Exec(*con, "ATTACH " + duckdb::QuoteLiteral("ducklake:sqlite:" + dir.str() + "/l.sqlite") +
                                     " AS l (DATA_PATH " + duckdb::QuoteLiteral(dir.str() + "/data/") + ")")
                  .ok());
  for (HepSchema schema : {HepSchema::kCall, HepSchema::kRegistration, HepSchema::kDefault, HepSchema::kMedia,
                           HepSchema::kDns, HepSchema::kLog}) {
    const std::string table = "t" + std::to_string(static_cast<int>(schema));
    auto st = duckdb::Exec(*con, "BEGIN;" + CreateHepTableSql("l", table, schema) + "COMMIT");
    ASSERT_TRUE(st.ok()) << st;
    auto columns = duckdb::QueryRows(*con, "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name "
                                           "= 'l' AND table_name = '" + table + "' ORDER BY column_index");
    ASSERT_TRUE(columns.ok()) << columns.status();
    const auto expected = HepColumns(schema);
    ASSERT_EQ(columns->size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ((*columns)[i][0], expected[i].name);
      EXPECT_EQ((*columns)[i][1], expected[i].type);
    }
  }
  auto sorted = duckdb::QueryColumn(*con, "SELECT DISTINCT expression FROM __ducklake_metadata_l.ducklake_sort_expression");
  ASSERT_TRUE(sorted.ok()) << sorted.status();
  EXPECT_EQ(*sorted, std::vector<std::string>{"\"timestamp\""});
  auto partitioned = duckdb::QueryColumn(*con, "SELECT count(*) FROM __ducklake_metadata_l.ducklake_partition_column");
  ASSERT_TRUE(partitioned.ok()) << partitioned.status();
  EXPECT_EQ(*partitioned, std::vector<std::string>{"6"});
}

}  // namespace
}  // namespace homer::lake
