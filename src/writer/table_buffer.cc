#include "writer/table_buffer.h"

#include <charconv>

namespace homer::writer {

bool SchemaOfTable(const std::string& table, lake::HepSchema* schema) {
  constexpr std::string_view kPrefix = "hep_proto_";
  if (table.rfind(kPrefix, 0) != 0) return false;
  const char* begin = table.data() + kPrefix.size();
  const char* end = table.data() + table.size();
  uint32_t proto = 0;
  auto [at, ec] = std::from_chars(begin, end, proto);
  if (ec != std::errc() || at == begin || at == end || *at != '_') return false;
  const std::string_view kind(at + 1, end - at - 1);
  lake::SipTable sip = lake::SipTable::kDefault;
  if (kind == "call") sip = lake::SipTable::kCall;
  else if (kind == "registration") sip = lake::SipTable::kRegistration;
  else if (kind != "default") return false;
  if (lake::HepTableName(proto, sip) != table) return false;
  *schema = lake::HepSchemaFor(proto, sip);
  return true;
}

}  // namespace homer::writer
