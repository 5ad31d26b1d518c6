// The config loader: a JSON document, optionally preceded by HOMER_NODE_* environment lines and
// a "---" line. Every input must end in a config or a clear error, never a crash.
#include <cstdint>
#include <string>

#include "config/config_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  homer::config::Environment env;
  const size_t split = input.find("\n---\n");
  if (split != std::string::npos) {
    std::string lines = input.substr(0, split);
    input = input.substr(split + 5);
    size_t start = 0;
    while (start < lines.size()) {
      const size_t end = lines.find('\n', start);
      const std::string line = lines.substr(start, end == std::string::npos ? std::string::npos : end - start);
      const size_t eq = line.find('=');
      if (eq != std::string::npos) env[line.substr(0, eq)] = line.substr(eq + 1);
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  auto config = homer::config::ParseConfig(input, env);
  if (!config.ok() && config.status().message().empty()) __builtin_trap();  // errors must say what
  return 0;
}
