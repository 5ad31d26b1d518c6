#include "logging/json_formatter.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <string_view>

#include "text/json_string.h"

namespace homer::logging {
namespace {

/// `2026-03-01T12:34:56.789Z`.
void AppendTime(spdlog::log_clock::time_point time, std::string* out) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  long millis = static_cast<long>(ms % 1000);
  if (millis < 0) {  // before 1970: floor, not truncate
    millis += 1000;
    --seconds;
  }
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  const size_t n = std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &utc);
  out->append(text, n);
  char frac[8];
  const int m = std::snprintf(frac, sizeof(frac), ".%03ldZ", millis);
  out->append(frac, static_cast<size_t>(m));
}

}  // namespace

void JsonFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  std::string line;
  line.reserve(msg.payload.size() + 96);
  line += "{\"time\":\"";
  AppendTime(msg.time, &line);
  line += "\",\"level\":";
  const auto level = spdlog::level::to_string_view(msg.level);
  text::AppendJsonString(std::string_view(level.data(), level.size()), &line);
  if (msg.logger_name.size() > 0) {
    line += ",\"logger\":";
    text::AppendJsonString(std::string_view(msg.logger_name.data(), msg.logger_name.size()), &line);
  }
  line += ",\"thread\":";
  line += std::to_string(msg.thread_id);
  line += ",\"msg\":";
  text::AppendJsonString(std::string_view(msg.payload.data(), msg.payload.size()), &line);
  line += "}\n";
  dest.append(line.data(), line.data() + line.size());
}

std::unique_ptr<spdlog::formatter> JsonFormatter::clone() const { return std::make_unique<JsonFormatter>(); }

}  // namespace homer::logging
