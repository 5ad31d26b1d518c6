// The body of POST /api/v4/node/query and /query.
#include <cstdint>
#include <string>

#include "http/handlers_internal.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto sql = homer::http::SqlFromBody(std::string(reinterpret_cast<const char*>(data), size));
  if (!sql.ok() && sql.status().message().empty()) __builtin_trap();
  return 0;
}
