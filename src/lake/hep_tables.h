#pragma once
/// \file
/// HOMER's HEP tables, defined once: which table a packet lands in, each table's columns in
/// file order, and how the lake lays it out (partitioned by `date`, sorted by `timestamp`).
/// The demo-lake generator creates its tables from here, and so will the capture writer.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace homer::lake {

/// The column sets HOMER writes (its storage adapter's schemas).
enum class HepSchema {
  kCall,          ///< SIP INVITE dialogs: hep_proto_1_call
  kRegistration,  ///< SIP REGISTER: hep_proto_1_registration
  kDefault,       ///< other SIP methods, and any proto type without its own schema
  kMedia,         ///< RTCP-shaped reports: proto 5 (RTCP), 34 (rtpagent), 35 (rtcpxr)
  kDns,           ///< proto 53: the default columns without session_id and cid
  kLog,           ///< proto 100: logs
};

struct HepColumn {
  const char* name;
  const char* type;  ///< DuckDB type
};

/// The schema's columns in file order.
std::span<const HepColumn> HepColumns(HepSchema schema);

/// Which SIP table a message belongs to, by its effective method (the CSeq method of a
/// response, the request method otherwise).
enum class SipTable { kCall, kRegistration, kDefault };
SipTable SipTableFor(std::string_view effective_method);

/// The table a HEP packet of `proto_type` lands in (`sip` only matters for proto 1):
/// hep_proto_1_call / _registration / _default, hep_proto_<N>_default otherwise.
std::string HepTableName(uint32_t proto_type, SipTable sip = SipTable::kDefault);
HepSchema HepSchemaFor(uint32_t proto_type, SipTable sip = SipTable::kDefault);

/// Every table partition is one UTC day of this column.
inline constexpr const char* kPartitionColumn = "date";
/// Rows are kept in this column's order within a file.
inline constexpr const char* kSortColumn = "timestamp";

/// `CREATE TABLE catalog.main.table (...)` with the schema's columns, then its partitioning and
/// sort order; statements separated by `;`, to run in one transaction.
std::string CreateHepTableSql(const std::string& catalog, const std::string& table, HepSchema schema);

}  // namespace homer::lake
