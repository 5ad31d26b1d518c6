// Stands in for Airport's query_farm_telemetry.cpp, which posts usage data to Query.farm when
// the extension loads: tests run offline and must not phone home.
#include "query_farm_telemetry.hpp"

namespace duckdb {
void QueryFarmSendTelemetry(ExtensionLoader &, const string &, const string &) {}
}  // namespace duckdb
