/// \file
/// The small routes: node stats, health, the timestamp range of the HEP tables, and vacuum.

#include <nlohmann/json.hpp>

#include "engine/try_later.h"
#include "http/handlers_internal.h"
#include "http/http_status.h"
#include "lake/maintenance.h"
#include "lake/maintenance_lock.h"
#include "metrics/registry.h"

namespace homer::http {
namespace {

using nlohmann::json;

void SendJson(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

}  // namespace

void SendError(httplib::Response& res, const arrow::Status& status, bool legacy_shape) {
  if (engine::IsTooManyQueries(status)) res.set_header("Retry-After", std::to_string(engine::kRetryAfterSeconds));
  SendError(res, HttpStatusFor(status), status.message(), legacy_shape);
}

void SendError(httplib::Response& res, int http_status, const std::string& message, bool legacy_shape) {
  res.status = http_status;
  res.set_content(ErrorBody(message, legacy_shape), "application/json");
}

void HandleMetrics(HandlerContext&, const httplib::Request&, httplib::Response& res) {
  res.set_content(metrics::Registry::Default().Render(), "text/plain; version=0.0.4; charset=utf-8");
}

void HandleHealth(HandlerContext& ctx, const httplib::Request&, httplib::Response& res) {
  json body = {{"status", "ok"}, {"module", "node"}};
  if (ctx.options.writer_health) body["writer"] = json::parse(ctx.options.writer_health(), nullptr, false);
  SendJson(res, 200, body);
}

void HandleNodeStats(HandlerContext& ctx, const httplib::Request&, httplib::Response& res) {
  json names = json::array();
  json detail = json::array();
  for (const auto& v : ctx.engine->volumes()) {
    names.push_back(v.config.name);
    detail.push_back({{"name", v.config.name},
                      {"type", v.config.type == config::VolumeType::kS3 ? "s3" : "local"},
                      {"catalog", v.catalog},
                      {"catalog_path", v.config.catalog_path},
                      {"attached", v.attached},
                      {"error", v.error}});
  }
  json body = {{"running", true},
            {"address", ctx.options.flight_address},
            {"lake_name", ctx.engine->lake_name()},
            {"volumes_count", names.size()},
            {"volumes", names},
            {"volume_status", detail},
            {"catalog_version", ctx.engine->catalog_version()},
            {"queries_running", ctx.engine->running_queries()},
            {"queries_started", ctx.engine->queries_started()}};
  if (ctx.options.capture_stats) body["capture"] = json::parse(ctx.options.capture_stats(), nullptr, false);
  if (ctx.options.storage_policy_stats) {
    body["storage_policy"] = json::parse(ctx.options.storage_policy_stats(), nullptr, false);
  }
  SendJson(res, 200, body);
}

void HandleMetadataStats(HandlerContext& ctx, const httplib::Request&, httplib::Response& res) {
  auto range = ctx.engine->HepTimestampRange();
  if (!range.ok()) return SendError(res, range.status(), true);
  SendJson(res, 200, {{"min_ts", range->first}, {"max_ts", range->second}});
}

void HandleVacuum(HandlerContext& ctx, const httplib::Request& req, httplib::Response& res, bool legacy) {
  std::string interval = "7 days";
  if (legacy) {
    if (req.has_param("expire_older_than")) interval = req.get_param_value("expire_older_than");
  } else if (!req.body.empty()) {
    auto doc = json::parse(req.body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return SendError(res, 400, "request body is not a JSON object", false);
    if (doc.contains("expire_older_than")) {
      if (!doc["expire_older_than"].is_string()) {
        return SendError(res, 400, "\"expire_older_than\" must be a string such as \"7 days\"", false);
      }
      interval = doc["expire_older_than"].get<std::string>();
    }
  }
  // One maintenance job per volume: another vacuum, or the storage policy's moves and compaction.
  std::vector<std::string> catalogs;
  for (const auto& v : ctx.engine->config().ducklake.volumes) catalogs.push_back(v.catalog_path);
  std::string busy;
  lake::MaintenanceLock lock = lake::MaintenanceLock::TryAcquire(catalogs, &busy);
  if (!lock.held()) {
    return SendError(res, 409, "maintenance is already running on the catalog " + busy +
                                   " (a vacuum or the storage policy); try again when it is done", legacy);
  }
  auto report = lake::Vacuum(ctx.engine->config(), ctx.engine->options().extension_dir, interval);
  if (!report.ok()) return SendError(res, report.status(), legacy);

  json steps = json::array();
  for (const auto& s : report->steps) {
    steps.push_back({{"volume", s.volume}, {"step", s.step}, {"success", s.ok}, {"detail", s.detail},
                     {"seconds", s.seconds}});
  }
  SendJson(res, report->ok() ? 200 : 500,
           {{"success", report->ok()}, {"expire_older_than", report->expire_older_than}, {"steps", steps}});
}

}  // namespace homer::http
