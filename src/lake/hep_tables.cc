#include "lake/hep_tables.h"

#include "duckdb/sql_text.h"

namespace homer::lake {
namespace {

constexpr HepColumn kCall[] = {
    {"uuid", "VARCHAR"},         {"date", "DATE"},           {"timestamp", "TIMESTAMP"}, {"session_id", "VARCHAR"},
    {"caller", "VARCHAR"},       {"callee", "VARCHAR"},      {"src_ip", "VARCHAR"},      {"dst_ip", "VARCHAR"},
    {"src_port", "UINTEGER"},    {"dst_port", "UINTEGER"},   {"method", "VARCHAR"},      {"response_code", "VARCHAR"},
    {"cseq_method", "VARCHAR"},  {"protocol", "UINTEGER"},   {"node_id", "VARCHAR"},     {"cid", "VARCHAR"},
    {"payload", "VARCHAR"},      {"data_extra", "JSON"},
};

constexpr HepColumn kRegistration[] = {
    {"uuid", "VARCHAR"},        {"date", "DATE"},           {"timestamp", "TIMESTAMP"}, {"session_id", "VARCHAR"},
    {"aor", "VARCHAR"},         {"contact", "VARCHAR"},     {"expires", "VARCHAR"},     {"user_agent", "VARCHAR"},
    {"src_ip", "VARCHAR"},      {"dst_ip", "VARCHAR"},      {"src_port", "UINTEGER"},   {"dst_port", "UINTEGER"},
    {"method", "VARCHAR"},      {"response_code", "VARCHAR"}, {"protocol", "UINTEGER"}, {"node_id", "VARCHAR"},
    {"payload", "VARCHAR"},     {"data_extra", "JSON"},
};

constexpr HepColumn kDefault[] = {
    {"uuid", "VARCHAR"},        {"date", "DATE"},          {"timestamp", "TIMESTAMP"}, {"session_id", "VARCHAR"},
    {"src_ip", "VARCHAR"},      {"dst_ip", "VARCHAR"},     {"src_port", "UINTEGER"},   {"dst_port", "UINTEGER"},
    {"method", "VARCHAR"},      {"response_code", "VARCHAR"}, {"protocol", "UINTEGER"}, {"node_id", "VARCHAR"},
    {"cid", "VARCHAR"},         {"payload", "VARCHAR"},    {"data_extra", "JSON"},
};

constexpr HepColumn kMedia[] = {
    {"uuid", "VARCHAR"},      {"date", "DATE"},         {"timestamp", "TIMESTAMP"}, {"session_id", "VARCHAR"},
    {"src_ip", "VARCHAR"},    {"dst_ip", "VARCHAR"},    {"src_port", "UINTEGER"},   {"dst_port", "UINTEGER"},
    {"protocol", "UINTEGER"}, {"node_id", "VARCHAR"},   {"cid", "VARCHAR"},         {"payload", "VARCHAR"},
    {"data_extra", "JSON"},
};

constexpr HepColumn kDns[] = {
    {"uuid", "VARCHAR"},        {"date", "DATE"},          {"timestamp", "TIMESTAMP"}, {"src_ip", "VARCHAR"},
    {"dst_ip", "VARCHAR"},      {"src_port", "UINTEGER"},  {"dst_port", "UINTEGER"},   {"method", "VARCHAR"},
    {"response_code", "VARCHAR"}, {"protocol", "UINTEGER"}, {"node_id", "VARCHAR"},    {"payload", "VARCHAR"},
    {"data_extra", "JSON"},
};

constexpr HepColumn kLog[] = {
    {"uuid", "VARCHAR"},   {"date", "DATE"},      {"timestamp", "TIMESTAMP"}, {"session_id", "VARCHAR"},
    {"src_ip", "VARCHAR"}, {"dst_ip", "VARCHAR"}, {"node_id", "VARCHAR"},     {"payload", "VARCHAR"},
    {"data_extra", "JSON"},
};

}  // namespace

std::span<const HepColumn> HepColumns(HepSchema schema) {
  switch (schema) {
    case HepSchema::kCall: return kCall;
    case HepSchema::kRegistration: return kRegistration;
    case HepSchema::kDefault: return kDefault;
    case HepSchema::kMedia: return kMedia;
    case HepSchema::kDns: return kDns;
    case HepSchema::kLog: return kLog;
  }
  return kDefault;
}

SipTable SipTableFor(std::string_view method) {
  for (std::string_view call : {"INVITE", "ACK", "PRACK", "UPDATE", "BYE", "CANCEL", "INFO"}) {
    if (method == call) return SipTable::kCall;
  }
  return method == "REGISTER" ? SipTable::kRegistration : SipTable::kDefault;
}

std::string HepTableName(uint32_t proto_type, SipTable sip) {
  if (proto_type == 1) {
    switch (sip) {
      case SipTable::kCall: return "hep_proto_1_call";
      case SipTable::kRegistration: return "hep_proto_1_registration";
      case SipTable::kDefault: return "hep_proto_1_default";
    }
  }
  return "hep_proto_" + std::to_string(proto_type) + "_default";
}

HepSchema HepSchemaFor(uint32_t proto_type, SipTable sip) {
  switch (proto_type) {
    case 1: return sip == SipTable::kCall ? HepSchema::kCall
                   : sip == SipTable::kRegistration ? HepSchema::kRegistration : HepSchema::kDefault;
    case 5: case 34: case 35: return HepSchema::kMedia;
    case 53: return HepSchema::kDns;
    case 100: return HepSchema::kLog;
    default: return HepSchema::kDefault;
  }
}

std::string CreateHepTableSql(const std::string& catalog, const std::string& table, HepSchema schema) {
  std::string columns;
  for (const auto& c : HepColumns(schema)) {
    columns += (columns.empty() ? "" : ", ") + duckdb::QuoteIdent(c.name) + " " + c.type;
  }
  const std::string qualified = duckdb::QualifiedName(catalog, "main", table);
  return "CREATE TABLE " + qualified + " (" + columns + "); ALTER TABLE " + qualified + " SET PARTITIONED BY (" +
         duckdb::QuoteIdent(kPartitionColumn) + "); ALTER TABLE " + qualified + " SET SORTED BY (" +
         duckdb::QuoteIdent(kSortColumn) + " ASC);";
}

}  // namespace homer::lake
