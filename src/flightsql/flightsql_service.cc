#include "flightsql/flightsql_service.h"

#include <arrow/ipc/api.h>
#include <spdlog/spdlog.h>

#include <type_traits>

#include "common/arrow_types.h"
#include "engine/sandbox.h"
#include "flightsql/grafana_cast.h"
#include "flightsql/metadata.h"
#include "flightsql/session_actions.h"
#include "flightsql/sql_info_lists.h"
#include "flightsql/statement_handle.h"
#include "flightsql/type_info.h"
#include "rpc/data_stream.h"
#include "rpc/inbound_limits.h"
#include "rpc/status_map.h"

namespace homer::flightsql {

namespace fl = arrow::flight;

namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

constexpr const char* kReadOnly = "homer-node serves a read-only lake: ";

arrow::Status RefuseWrite(const char* what) {
  return arrow::Status::Invalid(kReadOnly, what, " are not supported (SqlInfo 3 FLIGHT_SQL_SERVER_READ_ONLY is true)");
}

/// The commands that cannot be planned or streamed: writes, Substrait, bare tickets.
arrow::Status Unplannable(const Command& command) {
  return std::visit(
      Overloaded{[](const pb::CommandStatementUpdate&) { return RefuseWrite("updates"); },
                 [](const pb::CommandPreparedStatementUpdate&) { return RefuseWrite("updates"); },
                 [](const pb::CommandStatementIngest&) { return RefuseWrite("bulk ingestion"); },
                 [](const pb::CommandStatementSubstraitPlan&) {
                   return arrow::Status::NotImplemented("Substrait plans are not supported: send SQL");
                 },
                 [](const auto&) { return arrow::Status::Invalid("this Flight SQL message is not a command here"); }},
      command);
}

arrow::Result<std::unique_ptr<fl::ResultStream>> OneResult(std::string body) {
  std::vector<fl::Result> results(1);
  results[0].body = arrow::Buffer::FromString(std::move(body));
  return std::make_unique<fl::SimpleResultStream>(std::move(results));
}

}  // namespace

FlightSqlService::FlightSqlService(engine::Engine* engine, int64_t max_message_size, bool grafana_casts)
    : engine_(engine), max_message_size_(max_message_size), grafana_casts_(grafana_casts), catalog_(engine) {}

arrow::Result<std::string> FlightSqlService::SqlToRun(const std::string& sql, std::shared_ptr<arrow::Schema>* schema,
                                                     const SchemaOf& schema_of) {
  if (!grafana_casts_) return sql;
  std::string run = GrafanaCastSql(sql, **schema);
  if (run != sql) {
    ARROW_ASSIGN_OR_RAISE(*schema, schema_of(run));
  }
  return run;
}

arrow::Result<FlightSqlService::Plan> FlightSqlService::PlanStatement(StatementHandle statement) {
  // Preparing the statement (with the first parameter row) checks it against the sandbox and
  // yields the exact schema DoGet's stream will have; a statement without parameters planned
  // before, in the same catalog version, has passed both already.
  const uint64_t version = engine_->catalog_version();
  std::shared_ptr<arrow::Schema> schema;
  if (auto cached = statement.parameters ? std::nullopt : plans_.Lookup(statement.sql, version)) {
    schema = std::move(cached->schema);
    statement.sql = std::move(cached->run_sql);
  } else {
    ARROW_ASSIGN_OR_RAISE(auto rows, statement.ParameterRows());
    ARROW_ASSIGN_OR_RAISE(schema, common::QuerySchema(engine_, statement.sql, rows[0]));
    ARROW_ASSIGN_OR_RAISE(auto run_sql, SqlToRun(statement.sql, &schema, [&](const std::string& sql) {
                            return common::QuerySchema(engine_, sql, rows[0]);
                          }));
    if (!statement.parameters) plans_.Store(statement.sql, version, {schema, run_sql});
    statement.sql = std::move(run_sql);
  }
  pb::TicketStatementQuery ticket;
  ARROW_ASSIGN_OR_RAISE(statement.pin, engine_->Pin());  // DoGet reads what this plan saw, on any node
  ARROW_ASSIGN_OR_RAISE(auto handle, EncodeHandle(statement));
  ticket.set_statement_handle(std::move(handle));
  return Plan{std::move(schema), PackAny(ticket)};
}

arrow::Result<FlightSqlService::Plan> FlightSqlService::PlanCommand(const Command& command,
                                                                    const std::string& command_bytes) {
  if (auto* q = std::get_if<pb::CommandStatementQuery>(&command)) {
    if (q->has_transaction_id()) return arrow::Status::Invalid("transactions are not supported (read-only lake)");
    return PlanStatement(StatementHandle{q->query(), nullptr});
  }
  if (auto* p = std::get_if<pb::CommandPreparedStatementQuery>(&command)) {
    ARROW_ASSIGN_OR_RAISE(auto statement, DecodeHandle(p->prepared_statement_handle()));
    return PlanStatement(std::move(statement));
  }
  // Catalog commands: the ticket is the command itself, answered whole in DoGet.
  std::shared_ptr<arrow::Schema> schema = std::visit(
      Overloaded{[](const pb::CommandGetCatalogs&) { return CatalogsSchema(); },
                 [](const pb::CommandGetDbSchemas&) { return DbSchemasSchema(); },
                 [](const pb::CommandGetTables& c) { return TablesSchema(c.include_schema()); },
                 [](const pb::CommandGetTableTypes&) { return TableTypesSchema(); },
                 [](const pb::CommandGetSqlInfo&) { return SqlInfoSchema(); },
                 [](const pb::CommandGetXdbcTypeInfo&) { return XdbcTypeInfoSchema(); },
                 [](const pb::CommandGetPrimaryKeys&) { return PrimaryKeysSchema(); },
                 [](const pb::CommandGetImportedKeys&) { return ForeignKeysSchema(); },
                 [](const pb::CommandGetExportedKeys&) { return ForeignKeysSchema(); },
                 [](const pb::CommandGetCrossReference&) { return ForeignKeysSchema(); },
                 [](const auto&) { return std::shared_ptr<arrow::Schema>(); }},
      command);
  if (!schema) return Unplannable(command);
  return Plan{std::move(schema), command_bytes};
}

arrow::Status FlightSqlService::GetFlightInfo(const fl::ServerCallContext&, const fl::FlightDescriptor& request,
                                              std::unique_ptr<fl::FlightInfo>* info) {
  auto result = [&]() -> arrow::Result<std::unique_ptr<fl::FlightInfo>> {
    ARROW_RETURN_NOT_OK(rpc::CheckInbound(request, max_message_size_));
    if (request.type != fl::FlightDescriptor::CMD) {
      return arrow::Status::Invalid("Flight SQL takes command descriptors; path descriptors are served on Flight");
    }
    ARROW_ASSIGN_OR_RAISE(auto command, ParseCommand(request.cmd));
    ARROW_ASSIGN_OR_RAISE(auto plan, PlanCommand(command, request.cmd));
    // Exactly one endpoint, no locations (same server): Grafana only reads endpoint 0.
    fl::FlightEndpoint endpoint{fl::Ticket{plan.ticket}, {}, std::nullopt, ""};
    ARROW_ASSIGN_OR_RAISE(auto made, fl::FlightInfo::Make(*plan.schema, request, {endpoint}, -1, -1));
    return std::make_unique<fl::FlightInfo>(std::move(made));
  }();
  if (!result.ok()) return rpc::ToFlightStatus(result.status());
  *info = std::move(*result);
  return arrow::Status::OK();
}

arrow::Status FlightSqlService::GetSchema(const fl::ServerCallContext&, const fl::FlightDescriptor& request,
                                          std::unique_ptr<fl::SchemaResult>* schema) {
  auto result = [&]() -> arrow::Result<std::unique_ptr<fl::SchemaResult>> {
    ARROW_RETURN_NOT_OK(rpc::CheckInbound(request, max_message_size_));
    if (request.type != fl::FlightDescriptor::CMD) return arrow::Status::Invalid("Flight SQL takes command descriptors");
    ARROW_ASSIGN_OR_RAISE(auto command, ParseCommand(request.cmd));
    ARROW_ASSIGN_OR_RAISE(auto plan, PlanCommand(command, request.cmd));
    return fl::SchemaResult::Make(*plan.schema);
  }();
  if (!result.ok()) return rpc::ToFlightStatus(result.status());
  *schema = std::move(*result);
  return arrow::Status::OK();
}

arrow::Result<const SqlInfoTable*> FlightSqlService::SqlInfo() {
  std::lock_guard<std::mutex> lock(sql_info_mutex_);
  if (!sql_info_) {
    ARROW_ASSIGN_OR_RAISE(auto lists, LoadSqlInfoLists(engine_));
    sql_info_ = MakeSqlInfoTable(lists);
  }
  return &*sql_info_;
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> FlightSqlService::MetadataBatch(const Command& command) {
  if (auto* c = std::get_if<pb::CommandGetSqlInfo>(&command)) {
    ARROW_ASSIGN_OR_RAISE(auto table, SqlInfo());
    return MakeSqlInfoBatch(*table, {c->info().begin(), c->info().end()});
  }
  if (auto* c = std::get_if<pb::CommandGetXdbcTypeInfo>(&command)) {
    return MakeXdbcTypeInfoBatch(c->has_data_type() ? std::optional<int32_t>(c->data_type()) : std::nullopt);
  }
  if (std::holds_alternative<pb::CommandGetTableTypes>(command)) return GetTableTypes();
  if (std::holds_alternative<pb::CommandGetPrimaryKeys>(command)) {
    return arrow::RecordBatch::MakeEmpty(PrimaryKeysSchema());
  }
  if (std::holds_alternative<pb::CommandGetImportedKeys>(command) ||
      std::holds_alternative<pb::CommandGetExportedKeys>(command) ||
      std::holds_alternative<pb::CommandGetCrossReference>(command)) {
    return arrow::RecordBatch::MakeEmpty(ForeignKeysSchema());
  }
  ARROW_ASSIGN_OR_RAISE(auto snapshot, catalog_.Snapshot());
  if (std::holds_alternative<pb::CommandGetCatalogs>(command)) return GetCatalogs(*snapshot);
  if (auto* c = std::get_if<pb::CommandGetDbSchemas>(&command)) return GetDbSchemas(*snapshot, *c);
  if (auto* c = std::get_if<pb::CommandGetTables>(&command)) return GetTables(*snapshot, *c);
  return Unplannable(command);
}

arrow::Result<std::unique_ptr<fl::FlightDataStream>> FlightSqlService::Stream(const Command& command,
                                                                              const fl::ServerCallContext& context) {
  const std::string* handle = nullptr;
  if (auto* t = std::get_if<pb::TicketStatementQuery>(&command)) handle = &t->statement_handle();
  if (auto* p = std::get_if<pb::CommandPreparedStatementQuery>(&command)) handle = &p->prepared_statement_handle();
  if (handle) {
    ARROW_ASSIGN_OR_RAISE(auto statement, DecodeHandle(*handle));
    ARROW_ASSIGN_OR_RAISE(auto rows, statement.ParameterRows());
    // The same streaming path as plain Flight: coalesced batches, cancel on disconnect.
    const rpc::DataStreamOptions options{max_message_size_, /*zstd=*/false, "flightsql", statement.pin};
    ARROW_ASSIGN_OR_RAISE(auto stream, rpc::OpenDataStream(engine_, statement.sql, context, options, std::move(rows)));
    if (!statement.parameters) plans_.CheckStreamSchema(statement.sql, *stream->schema());
    return stream;
  }
  ARROW_ASSIGN_OR_RAISE(auto batch, MetadataBatch(command));
  ARROW_ASSIGN_OR_RAISE(auto reader, arrow::RecordBatchReader::Make({batch}, batch->schema()));
  return std::make_unique<fl::RecordBatchStream>(std::move(reader));
}

arrow::Status FlightSqlService::DoGet(const fl::ServerCallContext& context, const fl::Ticket& request,
                                      std::unique_ptr<fl::FlightDataStream>* stream) {
  auto result = [&]() -> arrow::Result<std::unique_ptr<fl::FlightDataStream>> {
    ARROW_RETURN_NOT_OK(rpc::CheckInbound(request, max_message_size_));
    ARROW_ASSIGN_OR_RAISE(auto command, ParseCommand(request.ticket));
    return Stream(command, context);
  }();
  if (!result.ok()) return rpc::ToFlightStatus(result.status());
  *stream = std::move(*result);
  return arrow::Status::OK();
}

arrow::Status FlightSqlService::DoPut(const fl::ServerCallContext&, std::unique_ptr<fl::FlightMessageReader> reader,
                                      std::unique_ptr<fl::FlightMetadataWriter> writer) {
  auto status = [&]() -> arrow::Status {
    ARROW_RETURN_NOT_OK(rpc::CheckInbound(reader->descriptor(), max_message_size_));
    ARROW_ASSIGN_OR_RAISE(auto command, ParseCommand(reader->descriptor().cmd));
    auto* prepared = std::get_if<pb::CommandPreparedStatementQuery>(&command);
    if (!prepared) return Unplannable(command);
    ARROW_ASSIGN_OR_RAISE(auto statement, DecodeHandle(prepared->prepared_statement_handle()));
    ARROW_ASSIGN_OR_RAISE(auto schema, reader->GetSchema());
    ARROW_ASSIGN_OR_RAISE(auto batches, reader->ToRecordBatches());
    ARROW_ASSIGN_OR_RAISE(statement.parameters, CombineParameterBatches(schema, batches));
    // The new handle carries the bound values: the client uses it from now on.
    pb::DoPutPreparedStatementResult result;
    ARROW_ASSIGN_OR_RAISE(auto handle, EncodeHandle(statement));
    result.set_prepared_statement_handle(std::move(handle));
    return writer->WriteMetadata(*arrow::Buffer::FromString(result.SerializeAsString()));
  }();
  return rpc::ToFlightStatus(status);
}

arrow::Result<std::string> FlightSqlService::CreatePreparedStatement(const std::string& body) {
  ARROW_ASSIGN_OR_RAISE(auto request, UnpackAny<pb::ActionCreatePreparedStatementRequest>(body));
  if (request.has_transaction_id()) return arrow::Status::Invalid("transactions are not supported (read-only lake)");
  // The sandbox checks the statement now, and its result schema is known before any value is
  // bound (with the types of NULL where a result type follows a parameter's type).
  auto described = engine_->Describe(request.query());
  if (!described.ok() && engine::IsRefusedNonQuery(described.status())) {
    // A well-formed non-query is answered as one (no dataset schema: JDBC then calls it an
    // update), and executing it is refused as a write.
    pb::ActionCreatePreparedStatementResult result;
    ARROW_ASSIGN_OR_RAISE(auto handle, EncodeHandle(StatementHandle{request.query(), nullptr}));
    result.set_prepared_statement_handle(std::move(handle));
    return PackAny(result);
  }
  ARROW_ASSIGN_OR_RAISE(auto shape, std::move(described));
  auto schema = common::WireSchema(shape.result);
  ARROW_RETURN_NOT_OK(SqlToRun(request.query(), &schema, [&](const std::string& sql) -> SchemaResult {
                        ARROW_ASSIGN_OR_RAISE(auto cast, engine_->Describe(sql));
                        return common::WireSchema(cast.result);
                      }).status());
  ARROW_ASSIGN_OR_RAISE(auto dataset_ipc, arrow::ipc::SerializeSchema(*schema));
  ARROW_ASSIGN_OR_RAISE(auto parameter_ipc, arrow::ipc::SerializeSchema(*common::WireSchema(shape.parameters)));
  pb::ActionCreatePreparedStatementResult result;
  ARROW_ASSIGN_OR_RAISE(auto handle, EncodeHandle(StatementHandle{request.query(), nullptr}));
  result.set_prepared_statement_handle(std::move(handle));
  result.set_dataset_schema(dataset_ipc->ToString());
  result.set_parameter_schema(parameter_ipc->ToString());
  return PackAny(result);
}

arrow::Status FlightSqlService::DoAction(const fl::ServerCallContext&, const fl::Action& action,
                                         std::unique_ptr<fl::ResultStream>* result) {
  ARROW_RETURN_NOT_OK(rpc::ToFlightStatus(rpc::CheckInbound(action, max_message_size_)));
  const std::string body = action.body ? action.body->ToString() : std::string();
  auto stream = [&]() -> arrow::Result<std::unique_ptr<fl::ResultStream>> {
    if (action.type == "CreatePreparedStatement") {
      ARROW_ASSIGN_OR_RAISE(auto reply, CreatePreparedStatement(body));
      return OneResult(std::move(reply));
    }
    if (action.type == "ClosePreparedStatement") {
      // Handles hold no server state: nothing to release.
      ARROW_RETURN_NOT_OK(UnpackAny<pb::ActionClosePreparedStatementRequest>(body).status());
      return std::make_unique<fl::SimpleResultStream>(std::vector<fl::Result>{});
    }
    if (action.type == fl::ActionType::kCancelFlightInfo.type) {
      // A FlightInfo starts nothing: its query runs inside the DoGet, and cancelling that call
      // stops it in DuckDB.
      ARROW_ASSIGN_OR_RAISE(auto reply, fl::CancelFlightInfoResult(fl::CancelStatus::kNotCancellable).SerializeToString());
      return OneResult(std::move(reply));
    }
    bool session_action = false;
    ARROW_ASSIGN_OR_RAISE(auto session_reply, SessionAction(action.type, body, &session_action));
    if (session_action) return OneResult(std::move(session_reply));
    if (action.type == "BeginTransaction" || action.type == "EndTransaction" || action.type == "BeginSavepoint" ||
        action.type == "EndSavepoint") {
      return arrow::Status::NotImplemented(kReadOnly, "transactions are not supported (SqlInfo 8 is NONE)");
    }
    return arrow::Status::NotImplemented("action '", action.type, "' is not supported by homer-node's Flight SQL");
  }();
  if (!stream.ok()) return rpc::ToFlightStatus(stream.status());
  *result = std::move(*stream);
  return arrow::Status::OK();
}

arrow::Status FlightSqlService::ListActions(const fl::ServerCallContext&, std::vector<fl::ActionType>* actions) {
  *actions = {{"CreatePreparedStatement", "prepare a SELECT; the handle carries the statement"},
              {"ClosePreparedStatement", "release a prepared statement (a no-op: handles are stateless)"},
              fl::ActionType::kCancelFlightInfo, fl::ActionType::kSetSessionOptions,
              fl::ActionType::kGetSessionOptions, fl::ActionType::kCloseSession};
  return arrow::Status::OK();
}

}  // namespace homer::flightsql
