#pragma once
/// \file
/// The one place Flight SQL requests are decoded: a FlightDescriptor command or a ticket (a
/// serialized google.protobuf.Any) becomes a typed command, as Arrow's sql/server.cc does.
/// Handlers only ever see the typed form; an unknown message is INVALID_ARGUMENT here.

#include <arrow/result.h>

#include <string>
#include <string_view>
#include <variant>

#include "FlightSql.pb.h"

namespace homer::flightsql {

namespace pb = arrow::flight::protocol::sql;

/// Every command a descriptor or ticket can carry. The write commands are decoded too so that
/// the server refuses them by name (read-only lake) instead of calling them unknown.
using Command = std::variant<pb::CommandStatementQuery, pb::TicketStatementQuery, pb::CommandPreparedStatementQuery,
                             pb::CommandGetCatalogs, pb::CommandGetDbSchemas, pb::CommandGetTables,
                             pb::CommandGetTableTypes, pb::CommandGetSqlInfo, pb::CommandGetXdbcTypeInfo,
                             pb::CommandGetPrimaryKeys, pb::CommandGetImportedKeys, pb::CommandGetExportedKeys,
                             pb::CommandGetCrossReference, pb::CommandStatementUpdate,
                             pb::CommandPreparedStatementUpdate, pb::CommandStatementIngest,
                             pb::CommandStatementSubstraitPlan>;

/// Decode a serialized Any holding one of the Command messages.
arrow::Result<Command> ParseCommand(std::string_view any_bytes);

/// `message` wrapped in an Any (type_url type.googleapis.com/arrow.flight.protocol.sql.<Name>)
/// and serialized: the form of descriptors, tickets and action results.
std::string PackAny(const google::protobuf::Message& message);

/// Decode a serialized Any that must hold `T` (action bodies).
template <typename T>
arrow::Result<T> UnpackAny(std::string_view any_bytes);

}  // namespace homer::flightsql
