#include "engine/sandbox.h"

#include <gtest/gtest.h>

#include <set>

#include "duckdb/database.h"
#include "testing/lake_fixture.h"

namespace homer::engine {
namespace {

class SandboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    duckdb::DatabaseOptions options;
    options.extension_dir = homer::testing::ExtensionDir();
    auto db = duckdb::OpenDatabase(options);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    con_ = std::move(*duckdb::Connect(db_));
  }
  arrow::Status Check(const std::string& sql) { return CheckQuery(con_, sql); }

  duckdb::Database db_;
  duckdb::Connection con_;
};

TEST_F(SandboxTest, AllowsReadOnlyQueries) {
  for (const char* sql : {"SELECT 1", "FROM range(3)", "WITH x AS (SELECT 1 a) SELECT * FROM x",
                          "SELECT * FROM duckdb_tables()", "VALUES (1), (2)", "SELECT 1;",
                          "SELECT * FROM read_parquet('/lake/x.parquet')", "DESCRIBE SELECT 1",
                          "SELECT * FROM (SELECT unnest([1, 2])) t JOIN range(2) r ON true"}) {
    EXPECT_TRUE(Check(sql).ok()) << sql << ": " << Check(sql);
  }
}

TEST_F(SandboxTest, RefusesEveryOtherStatementType) {
  for (const char* sql :
       {"CREATE TABLE t (i INT)", "INSERT INTO t VALUES (1)", "DROP TABLE t", "ATTACH '/tmp/x.db' AS x",
        "COPY (SELECT 1) TO '/tmp/out.csv'", "SET threads = 1", "PRAGMA enable_profiling", "INSTALL httpfs",
        "LOAD httpfs", "CALL ducklake_cleanup_old_files('x')", "EXPORT DATABASE '/tmp/x'", "DETACH x",
        "UPDATE t SET i = 2", "CREATE SECRET s (TYPE S3)", "CHECKPOINT", "VACUUM", "USE memory", "BEGIN"}) {
    auto st = Check(sql);
    EXPECT_TRUE(st.IsInvalid()) << sql;
    EXPECT_EQ(st.message().rfind("SQL validation failed: ", 0), 0u) << sql << ": " << st;
  }
}

TEST_F(SandboxTest, NamesTheTablesAQueryReads) {
  std::vector<TableRef> tables;
  ASSERT_TRUE(CheckQuery(con_, "WITH c AS (SELECT * FROM lake.main.a) SELECT * FROM c JOIN lake.b ON true "
                               "WHERE 1 IN (SELECT 1 FROM t) AND EXISTS (FROM range(1))", &tables).ok());
  ASSERT_EQ(tables.size(), 4u);
  std::set<std::string> seen;
  for (const auto& t : tables) seen.insert(t.catalog + "." + t.schema + "." + t.name);
  EXPECT_EQ(seen, (std::set<std::string>{"lake.main.a", ".lake.b", "..t", "..c"}));
  // Remembered with the verdict.
  CheckedQueries checked;
  for (int i = 0; i < 2; ++i) {
    tables.clear();
    ASSERT_TRUE(checked.Check(con_, "SELECT * FROM lake.main.a", &tables).ok());
    ASSERT_EQ(tables.size(), 1u);
    EXPECT_EQ(tables[0].catalog, "lake");
  }
}

TEST_F(SandboxTest, RefusesSeveralStatements) {
  auto st = Check("SELECT 1; SELECT 2");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("exactly one statement"), std::string::npos) << st;
  EXPECT_FALSE(Check("").ok());
}

TEST_F(SandboxTest, RefusesTableFunctionsThatLeaveTheSandbox) {
  for (const char* sql : {"SELECT * FROM sqlite_scan('/etc/secret.sqlite', 't')",
                          "SELECT * FROM query('SELECT 1')", "SELECT * FROM query_table('t')",
                          "SELECT * FROM ducklake_cleanup_old_files('lake')",
                          "SELECT * FROM ducklake_expire_snapshots('lake')",
                          "WITH x AS (SELECT * FROM sqlite_query('/x.db', 'select 1')) SELECT * FROM x",
                          "SELECT 1 WHERE 1 IN (SELECT * FROM postgres_query('db', 'select 1'))"}) {
    auto st = Check(sql);
    EXPECT_TRUE(st.IsInvalid()) << sql;
    EXPECT_NE(st.message().find("is not allowed"), std::string::npos) << sql << ": " << st;
  }
}

TEST_F(SandboxTest, SyntaxErrorsAreInvalid) {
  auto st = Check("SELEKT 1");
  EXPECT_TRUE(st.IsInvalid()) << st;
  EXPECT_NE(st.message().find("syntax error"), std::string::npos) << st;
}

TEST_F(SandboxTest, SettingsLockFilesOutside) {
  ASSERT_TRUE(ApplySandboxSettings(con_, {{"/nonexistent-lake/"}}).ok());
  EXPECT_FALSE(duckdb::Exec(con_, "SELECT * FROM read_text('/etc/passwd')").ok());
  EXPECT_FALSE(duckdb::Exec(con_, "SET enable_external_access = true").ok());
  EXPECT_FALSE(duckdb::Exec(con_, "SET allowed_directories = ['/']").ok());
  EXPECT_FALSE(duckdb::Exec(con_, "LOAD httpfs").ok());
}

}  // namespace
}  // namespace homer::engine
