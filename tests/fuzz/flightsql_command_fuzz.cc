// Flight SQL commands (protobuf Any) and statement handles, as a client may send them.
#include <cstdint>
#include <string_view>
#include <variant>

#include "flightsql/commands.h"
#include "flightsql/statement_handle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto command = homer::flightsql::ParseCommand(bytes);
  if (command.ok()) {
    namespace pb = arrow::flight::protocol::sql;
    if (auto* t = std::get_if<pb::TicketStatementQuery>(&*command)) {
      if (auto h = homer::flightsql::DecodeHandle(t->statement_handle()); h.ok()) (void)h->ParameterRows();
    }
  }
  if (auto h = homer::flightsql::DecodeHandle(bytes); h.ok()) (void)h->ParameterRows();
  return 0;
}
