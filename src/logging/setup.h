#pragma once
/// \file
/// The process's log lines as configured (`log.format`, `log.level`): set once the config is read.

#include <string_view>

#include "config/server_config.h"

namespace homer::logging {

/// Apply `config` to every spdlog logger, those created later included. Text keeps spdlog's
/// default lines; json writes each line as one JSON object (JsonFormatter).
void ConfigureLogging(const config::LogConfig& config);

/// Report an error that ends the process: a log line once JSON logging is configured (so that
/// every line of the output parses), else `homer-node: <message>` and `text_suffix` on stderr.
void ReportFatal(std::string_view message, std::string_view text_suffix = {});

}  // namespace homer::logging
