#include "logging/setup.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

namespace homer::logging {
namespace {

/// Restores text lines at info (the default) after each test: the registry is process-wide.
class LoggingSetup : public ::testing::Test {
 protected:
  void TearDown() override {
    ConfigureLogging({});
    spdlog::drop("setup_test");
  }
  std::shared_ptr<spdlog::logger> Logger(std::ostringstream* out) {
    auto logger =
        std::make_shared<spdlog::logger>("setup_test", std::make_shared<spdlog::sinks::ostream_sink_mt>(*out));
    spdlog::initialize_logger(logger);  // as spdlog's factories do: the registry's formatter and level
    return logger;
  }
};

TEST_F(LoggingSetup, JsonAppliesToLoggersMadeAfterAndLevelFilters) {
  config::LogConfig config;
  config.format = config::LogConfig::Format::kJson;
  config.level = config::LogConfig::Level::kWarn;
  ConfigureLogging(config);
  std::ostringstream out;
  auto logger = Logger(&out);
  logger->info("not written");
  logger->warn("written");
  const auto line = nlohmann::json::parse(out.str());
  EXPECT_EQ(line["msg"], "written");
  EXPECT_EQ(line["level"], "warning");
}

TEST_F(LoggingSetup, TextKeepsSpdlogsDefaultLines) {
  config::LogConfig json;
  json.format = config::LogConfig::Format::kJson;
  ConfigureLogging(json);
  ConfigureLogging({});  // and back
  std::ostringstream out;
  Logger(&out)->info("plain");
  EXPECT_EQ(out.str().front(), '[');
  EXPECT_NE(out.str().find("[info] plain"), std::string::npos) << out.str();
}

}  // namespace
}  // namespace homer::logging
