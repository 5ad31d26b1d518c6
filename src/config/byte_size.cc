#include "config/byte_size.h"

#include <cctype>
#include <cmath>
#include <regex>

namespace homer::config {

std::optional<uint64_t> ParseByteSize(const std::string& text) {
  static const std::regex kSize(R"(^\s*(\d+(\.\d+)?)\s*(([KMGT])(i?)B|B|bytes)?\s*$)", std::regex::icase);
  std::smatch m;
  if (!std::regex_match(text, m, kSize)) return std::nullopt;
  double bytes = std::stod(m[1].str());
  if (m[4].matched) {
    const double base = m[5].length() ? 1024 : 1000;
    const std::string prefixes = "KMGT";
    const auto power = prefixes.find(static_cast<char>(std::toupper(m[4].str()[0]))) + 1;
    bytes *= std::pow(base, static_cast<double>(power));
  }
  if (bytes >= 1.8e19) return std::nullopt;
  return static_cast<uint64_t>(bytes);
}

}  // namespace homer::config
