// The Airport json_filters translator: any JSON (or not JSON) becomes SQL or nothing.
#include <cstdint>
#include <string_view>

#include "flight/filter_sql.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<std::string> kColumns = {"uuid", "timestamp", "src_port", "method", "data_extra"};
  (void)homer::flight::FiltersToSql(std::string_view(reinterpret_cast<const char*>(data), size), kColumns);
  return 0;
}
