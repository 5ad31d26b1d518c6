#include "logging/setup.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <iostream>
#include <memory>

#include "logging/json_formatter.h"

namespace homer::logging {
namespace {

std::atomic<bool> json_lines{false};

spdlog::level::level_enum SpdlogLevel(config::LogConfig::Level level) {
  using Level = config::LogConfig::Level;
  switch (level) {
    case Level::kTrace: return spdlog::level::trace;
    case Level::kDebug: return spdlog::level::debug;
    case Level::kInfo: return spdlog::level::info;
    case Level::kWarn: return spdlog::level::warn;
    case Level::kError: return spdlog::level::err;
  }
  return spdlog::level::info;
}

}  // namespace

void ConfigureLogging(const config::LogConfig& config) {
  spdlog::set_level(SpdlogLevel(config.level));
  const bool json = config.format == config::LogConfig::Format::kJson;
  if (json) {
    spdlog::set_formatter(std::make_unique<JsonFormatter>());
  } else if (json_lines.load()) {
    spdlog::set_formatter(std::make_unique<spdlog::pattern_formatter>());  // back to the default lines
  }
  json_lines.store(json);
}

void ReportFatal(std::string_view message, std::string_view text_suffix) {
  if (!json_lines.load()) {
    std::cerr << "homer-node: " << message << "\n" << text_suffix << std::flush;
    return;
  }
  spdlog::critical("{}", message);
  spdlog::default_logger()->flush();
}

}  // namespace homer::logging
