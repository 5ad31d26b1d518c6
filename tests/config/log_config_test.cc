#include "config/config_loader.h"

#include <gtest/gtest.h>

namespace homer::config {
namespace {

const char* kMinimal = R"({"node": {"ducklake": {"volumes": [{"name": "hot", "catalog_path": "/lake/hot.sqlite",
                           "path": "/lake/data/"}]}}})";

std::string WithLog(const std::string& log) {
  return R"({"log": )" + log + R"(, "node": {"ducklake": {"volumes": [{"name": "hot",
            "catalog_path": "/lake/hot.sqlite", "path": "/lake/data/"}]}}})";
}

std::string ErrorOf(const std::string& json, const Environment& env = {}) {
  auto cfg = ParseConfig(json, env);
  EXPECT_FALSE(cfg.ok()) << json;
  return cfg.ok() ? "" : cfg.status().message();
}

TEST(LogConfig, DefaultsToTextAtInfo) {
  auto cfg = ParseConfig(kMinimal, {});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->log.format, LogConfig::Format::kText);
  EXPECT_EQ(cfg->log.level, LogConfig::Level::kInfo);
}

TEST(LogConfig, ReadsFormatAndLevel) {
  auto cfg = ParseConfig(WithLog(R"({"format": "json", "level": "debug"})"), {});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->log.format, LogConfig::Format::kJson);
  EXPECT_EQ(cfg->log.level, LogConfig::Level::kDebug);
}

TEST(LogConfig, BadValuesAreNamedByTheirJsonPath) {
  const std::string err = ErrorOf(WithLog(R"({"format": "xml", "level": "loud", "colour": true})"));
  EXPECT_NE(err.find("$.log.format: unknown format 'xml' (expected text or json)"), std::string::npos) << err;
  EXPECT_NE(err.find("$.log.level: unknown level 'loud'"), std::string::npos) << err;
  EXPECT_NE(err.find("$.log.colour: unknown key"), std::string::npos) << err;
  EXPECT_NE(ErrorOf(WithLog(R"({"format": 1})")).find("$.log.format: must be a string"), std::string::npos);
  EXPECT_NE(ErrorOf(WithLog(R"("json")")).find("$.log: must be an object"), std::string::npos);
}

TEST(LogConfig, TheEnvironmentOverridesTheFile) {
  auto cfg = ParseConfig(WithLog(R"({"format": "text"})"), {{"HOMER_LOG_FORMAT", "json"}, {"HOMER_LOG_LEVEL", "warn"}});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->log.format, LogConfig::Format::kJson);
  EXPECT_EQ(cfg->log.level, LogConfig::Level::kWarn);
  EXPECT_NE(ErrorOf(kMinimal, {{"HOMER_LOG_FORMAT", "yaml"}}).find("$.log.format: unknown format 'yaml'"),
            std::string::npos);
  EXPECT_NE(ErrorOf(kMinimal, {{"HOMER_LOG_FORMT", "json"}}).find("environment HOMER_LOG_FORMT: matches no config key"),
            std::string::npos);
}

}  // namespace
}  // namespace homer::config
