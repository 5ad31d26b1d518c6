#include "logging/json_formatter.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <regex>
#include <sstream>
#include <string>

namespace homer::logging {
namespace {

using nlohmann::json;

/// The formatter's line for `payload`, checked to be exactly one line.
std::string Line(std::string_view payload, std::string_view logger = "",
                 spdlog::level::level_enum level = spdlog::level::info,
                 spdlog::log_clock::time_point time = spdlog::log_clock::now()) {
  spdlog::details::log_msg msg(time, spdlog::source_loc{}, spdlog::string_view_t(logger.data(), logger.size()),
                               level, spdlog::string_view_t(payload.data(), payload.size()));
  spdlog::memory_buf_t buf;
  JsonFormatter().format(msg, buf);
  std::string line(buf.data(), buf.size());
  EXPECT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
  return line;
}

json Parse(const std::string& line) {
  json parsed = json::parse(line);  // throws, failing the test, on invalid JSON or invalid UTF-8
  EXPECT_TRUE(parsed.is_object());
  return parsed;
}

TEST(JsonFormatter, WritesTimeLevelThreadAndMessage) {
  // 2026-03-01T12:34:56.789Z
  const auto time = spdlog::log_clock::time_point(std::chrono::milliseconds(1772368496789LL));
  const json line = Parse(Line("volume 'hot' attached", "", spdlog::level::warn, time));
  EXPECT_EQ(line["time"], "2026-03-01T12:34:56.789Z");
  EXPECT_EQ(line["level"], "warning");
  EXPECT_TRUE(line["thread"].is_number_unsigned());
  EXPECT_EQ(line["msg"], "volume 'hot' attached");
  EXPECT_FALSE(line.contains("logger"));  // the default logger has no name
  EXPECT_EQ(line.size(), 4u);
}

TEST(JsonFormatter, TimeIsRfc3339UtcWithMilliseconds) {
  EXPECT_EQ(Parse(Line("x", "", spdlog::level::info, spdlog::log_clock::time_point{}))["time"],
            "1970-01-01T00:00:00.000Z");
  const std::string now = Parse(Line("x"))["time"];
  EXPECT_TRUE(std::regex_match(now, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"))) << now;
}

TEST(JsonFormatter, NamesTheLoggerWhenItHasOne) {
  const json line = Parse(Line("m", "wri\"ter", spdlog::level::err));
  EXPECT_EQ(line["logger"], "wri\"ter");
  EXPECT_EQ(line["level"], "error");
}

TEST(JsonFormatter, EscapesQuotesBackslashesAndControlCharacters) {
  const std::string payload = std::string("say \"hi\" C:\\tmp\nsecond line\r\ttab\x01\x1f end") + '\0' + "after nul";
  const std::string line = Line(payload);
  EXPECT_NE(line.find(R"(say \"hi\" C:\\tmp\nsecond line\r\ttab\u0001\u001f end\u0000after nul)"),
            std::string::npos)
      << line;
  EXPECT_EQ(Parse(line)["msg"], payload);  // read back exactly, NUL included
}

TEST(JsonFormatter, ReplacesInvalidUtf8) {
  const std::string line = Line("bad \xff\xfe bytes, truncated \xe2\x82, valid \xe2\x82\xac");
  const json parsed = Parse(line);
  EXPECT_EQ(parsed["msg"], "bad \xef\xbf\xbd\xef\xbf\xbd bytes, truncated \xef\xbf\xbd, valid \xe2\x82\xac");
}

TEST(JsonFormatter, AnEmptyMessageIsAnEmptyString) { EXPECT_EQ(Parse(Line(""))["msg"], ""); }

TEST(JsonFormatter, ALoggerWritesOneObjectALine) {
  std::ostringstream out;
  auto logger = std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  logger->set_formatter(std::make_unique<JsonFormatter>());
  logger->info("query {} failed: {}", 7, "Parser Error: syntax error at or near \"SELEC\"\nLINE 1: SELEC");
  logger->error("a\\b");
  std::istringstream lines(out.str());
  int count = 0;
  for (std::string text; std::getline(lines, text); ++count) {
    const json line = json::parse(text);
    EXPECT_EQ(line["logger"], "test");
    for (const char* key : {"time", "level", "thread", "msg"}) EXPECT_TRUE(line.contains(key)) << key;
  }
  EXPECT_EQ(count, 2);
}

}  // namespace
}  // namespace homer::logging
