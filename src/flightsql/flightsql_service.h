#pragma once
/// \file
/// The Flight SQL service: Flight RPCs turned into engine calls. Commands are decoded in one
/// place (commands.h); catalog answers come from metadata.h, sql_info.h and type_info.h; query
/// results stream through the same path as plain Flight (rpc::OpenDataStream over
/// rpc::BatchStream, one type mapping); every error leaves through rpc::ToFlightStatus.
///
/// Statements are stateless: a ticket or prepared-statement handle carries its SQL and bound
/// parameters (statement_handle.h), so no server state is kept between calls and a restarted
/// node still redeems them.

#include <arrow/flight/server.h>
#include <arrow/result.h>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "common/lake_catalog.h"
#include "engine/engine.h"
#include "flightsql/commands.h"
#include "flightsql/plan_cache.h"
#include "flightsql/sql_info.h"
#include "flightsql/statement_handle.h"

namespace homer::flightsql {

class FlightSqlService : public arrow::flight::FlightServerBase {
 public:
  /// `grafana_casts`: cast result columns Grafana cannot show (grafana_cast.h).
  FlightSqlService(engine::Engine* engine, int64_t max_message_size, bool grafana_casts);

  arrow::Status GetFlightInfo(const arrow::flight::ServerCallContext& context,
                              const arrow::flight::FlightDescriptor& request,
                              std::unique_ptr<arrow::flight::FlightInfo>* info) override;
  arrow::Status GetSchema(const arrow::flight::ServerCallContext& context,
                          const arrow::flight::FlightDescriptor& request,
                          std::unique_ptr<arrow::flight::SchemaResult>* schema) override;
  arrow::Status DoGet(const arrow::flight::ServerCallContext& context, const arrow::flight::Ticket& request,
                      std::unique_ptr<arrow::flight::FlightDataStream>* stream) override;
  arrow::Status DoPut(const arrow::flight::ServerCallContext& context,
                      std::unique_ptr<arrow::flight::FlightMessageReader> reader,
                      std::unique_ptr<arrow::flight::FlightMetadataWriter> writer) override;
  arrow::Status DoAction(const arrow::flight::ServerCallContext& context, const arrow::flight::Action& action,
                         std::unique_ptr<arrow::flight::ResultStream>* result) override;
  arrow::Status ListActions(const arrow::flight::ServerCallContext& context,
                            std::vector<arrow::flight::ActionType>* actions) override;

 private:
  /// The result schema of a command, and the ticket that redeems it.
  struct Plan {
    std::shared_ptr<arrow::Schema> schema;
    std::string ticket;
  };
  arrow::Result<Plan> PlanCommand(const Command& command, const std::string& command_bytes);
  arrow::Result<Plan> PlanStatement(StatementHandle statement);
  using SchemaResult = arrow::Result<std::shared_ptr<arrow::Schema>>;
  using SchemaOf = std::function<SchemaResult(const std::string& sql)>;
  /// `sql` as it runs: with Grafana's casts when configured, `schema` then replaced by
  /// `schema_of` the cast statement.
  arrow::Result<std::string> SqlToRun(const std::string& sql, std::shared_ptr<arrow::Schema>* schema,
                                      const SchemaOf& schema_of);
  arrow::Result<std::unique_ptr<arrow::flight::FlightDataStream>> Stream(
      const Command& command, const arrow::flight::ServerCallContext& context);
  /// A catalog command's whole (small) result.
  arrow::Result<std::shared_ptr<arrow::RecordBatch>> MetadataBatch(const Command& command);
  arrow::Result<std::string> CreatePreparedStatement(const std::string& body);
  arrow::Result<const SqlInfoTable*> SqlInfo();

  engine::Engine* engine_;
  int64_t max_message_size_;
  bool grafana_casts_;
  common::LakeCatalog catalog_;
  PlanCache plans_;
  std::mutex sql_info_mutex_;
  std::optional<SqlInfoTable> sql_info_;  ///< built on first use (reads DuckDB's keyword/function lists)
};

}  // namespace homer::flightsql
