#pragma once
/// \file
/// Route handlers (private to http/). Each turns a request into engine calls and a response.

#include <httplib.h>

#include <atomic>
#include <string>

#include "engine/engine.h"
#include "http/http_server.h"

namespace homer::http {

struct HandlerContext {
  engine::Engine* engine;
  HttpServerOptions options;
};

enum class QueryShape {
  kColumnsAndRows,  ///< /api/v4/node/query: {"columns": [...], "data": [[...]]}
  kLegacyObjects,   ///< /query: {"success": true, "data": [{...}], "count": N}
};

/// The SQL of a query request body ({"sql": "..."}), or why the body is not one.
arrow::Result<std::string> SqlFromBody(const std::string& body);

void HandleQuery(HandlerContext& ctx, const httplib::Request& req, httplib::Response& res, QueryShape shape);
void HandleNodeStats(HandlerContext& ctx, const httplib::Request& req, httplib::Response& res);
void HandleHealth(HandlerContext& ctx, const httplib::Request& req, httplib::Response& res);
void HandleMetadataStats(HandlerContext& ctx, const httplib::Request& req, httplib::Response& res);
/// Prometheus text exposition of metrics::Registry::Default().
void HandleMetrics(HandlerContext& ctx, const httplib::Request& req, httplib::Response& res);
/// `legacy`: the original's POST /vacuum?expire_older_than=...; else the v4 JSON body.
void HandleVacuum(HandlerContext& ctx, const httplib::Request& req, httplib::Response& res, bool legacy);

/// Write a JSON error with the status HttpStatusFor picks.
void SendError(httplib::Response& res, const arrow::Status& status, bool legacy_shape);
void SendError(httplib::Response& res, int http_status, const std::string& message, bool legacy_shape);

}  // namespace homer::http
