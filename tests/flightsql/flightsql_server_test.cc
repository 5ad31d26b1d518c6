#include "flightsql/flightsql_server.h"

#include <arrow/flight/client.h>
#include <arrow/ipc/dictionary.h>
#include <gtest/gtest.h>

#include "engine/engine.h"
#include "flightsql/commands.h"
#include "testing/lake_fixture.h"

namespace homer::flightsql {
namespace {

namespace fl = arrow::flight;

/// A Flight SQL server on a free port over a one-table lake, and a client for it.
class FlightSqlServerTest : public ::testing::Test {
 protected:
  void Start(bool grafana_casts) {
    engine_ = homer::testing::OpenOneTableEngine(dir_.path());
    ASSERT_TRUE(engine_);
    FlightSqlServerOptions server_options;
    server_options.host = "127.0.0.1";
    server_options.port = 0;
    server_options.token = "tok";
    server_options.grafana_casts = grafana_casts;
    auto server = FlightSqlServer::Start(engine_.get(), server_options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    auto location = fl::Location::ForGrpcTcp("127.0.0.1", server_->port()).ValueOrDie();
    client_ = fl::FlightClient::Connect(location).ValueOrDie();
    call_.headers.emplace_back("authorization", "Bearer tok");
  }

  arrow::Result<std::shared_ptr<arrow::Table>> Query(const std::string& sql) {
    pb::CommandStatementQuery command;
    command.set_query(sql);
    ARROW_ASSIGN_OR_RAISE(auto info,
                          client_->GetFlightInfo(call_, fl::FlightDescriptor::Command(PackAny(command))));
    EXPECT_EQ(info->endpoints().size(), 1u);
    ARROW_ASSIGN_OR_RAISE(auto reader, client_->DoGet(call_, info->endpoints()[0].ticket));
    ARROW_ASSIGN_OR_RAISE(auto table, reader->ToTable());
    arrow::ipc::DictionaryMemo memo;
    EXPECT_TRUE(table->schema()->Equals(*info->GetSchema(&memo).ValueOrDie()));
    return table;
  }

  homer::testing::TempDir dir_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<FlightSqlServer> server_;
  std::unique_ptr<fl::FlightClient> client_;
  fl::FlightCallOptions call_;
};

TEST_F(FlightSqlServerTest, StatementQueryAndTokenRequired) {
  Start(false);
  auto table = Query("SELECT 42 AS n, DATE '2026-01-02' AS d");
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ((*table)->num_rows(), 1);
  EXPECT_EQ((*table)->schema()->field(1)->type()->id(), arrow::Type::DATE32);
  pb::CommandStatementQuery command;
  command.set_query("SELECT 1");
  auto refused = client_->GetFlightInfo(fl::FlightDescriptor::Command(PackAny(command)));
  ASSERT_FALSE(refused.ok());
  auto detail = fl::FlightStatusDetail::UnwrapStatus(refused.status());
  ASSERT_NE(detail, nullptr);
  EXPECT_EQ(detail->code(), fl::FlightStatusCode::Unauthenticated);
}

TEST_F(FlightSqlServerTest, ErrorsMappedOnce) {
  Start(false);
  EXPECT_TRUE(Query("DROP TABLE t").status().IsInvalid());
  EXPECT_TRUE(Query("SELECT * FROM no_such_table").status().IsInvalid() ||
              Query("SELECT * FROM no_such_table").status().IsKeyError());
}

TEST_F(FlightSqlServerTest, GrafanaCastsTypesItCannotShow) {
  Start(true);
  auto table = Query("SELECT TIMESTAMP '2026-01-02 03:04:05' AS time, DATE '2026-01-02' AS d, "
                     "1.5::DECIMAL(4,1) AS x, 7::HUGEINT AS h, 'a' AS s, [1, 2] AS l");
  ASSERT_TRUE(table.ok()) << table.status();
  const auto& schema = *(*table)->schema();
  EXPECT_EQ(schema.field(0)->type()->id(), arrow::Type::TIMESTAMP);
  EXPECT_EQ(schema.field(1)->type()->id(), arrow::Type::TIMESTAMP);
  EXPECT_EQ(schema.field(2)->type()->id(), arrow::Type::DOUBLE);
  EXPECT_EQ(schema.field(3)->type()->id(), arrow::Type::DOUBLE);
  EXPECT_EQ(schema.field(4)->type()->id(), arrow::Type::STRING);
  EXPECT_EQ(schema.field(5)->type()->id(), arrow::Type::STRING);
  EXPECT_EQ(schema.field(5)->name(), "l");
}

TEST_F(FlightSqlServerTest, SqlInfoListsComeFromDuckDB) {
  Start(false);
  pb::CommandGetSqlInfo command;
  command.add_info(508);
  command.add_info(510);
  auto info = client_->GetFlightInfo(call_, fl::FlightDescriptor::Command(PackAny(command)));
  ASSERT_TRUE(info.ok()) << info.status();
  auto table = client_->DoGet(call_, (*info)->endpoints()[0].ticket).ValueOrDie()->ToTable().ValueOrDie();
  ASSERT_EQ(table->num_rows(), 2);
  auto keywords = table->column(1)->chunk(0)->GetScalar(0).ValueOrDie();
  auto list = std::static_pointer_cast<arrow::ListScalar>(
      std::static_pointer_cast<arrow::DenseUnionScalar>(keywords)->value);
  EXPECT_GT(list->value->length(), 50);
}

}  // namespace
}  // namespace homer::flightsql
