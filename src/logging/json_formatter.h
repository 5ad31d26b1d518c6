#pragma once
/// \file
/// A spdlog formatter that writes each log line as one JSON object (`log.format: json`).

#include <spdlog/formatter.h>

#include <memory>

namespace homer::logging {

/// Format a record as `{"time": ..., "level": ..., "thread": N, "msg": ...}` and a newline, with
/// `"logger"` after `"level"` when the logger has a name. `time` is RFC 3339 UTC with
/// milliseconds; strings are escaped by text::AppendJsonString (quotes, backslashes, control
/// characters; invalid UTF-8 becomes U+FFFD), so a message with newlines stays one line.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;
};

}  // namespace homer::logging
