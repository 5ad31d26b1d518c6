#pragma once
/// \file
/// Bearer-token rules shared by every surface (security advisories GHSA-rm5w-rqr7-2h54 and
/// GHSA-w9hq-83jw-w7h9): a configured token wins; a surface bound to a non-loopback address, or
/// one that always needs a token (Flight SQL), gets a token file instead of running open.

#include <arrow/result.h>

#include <string>
#include <string_view>

#include "config/server_config.h"

namespace homer::auth {

/// True for 127.0.0.0/8, ::1 and localhost.
bool IsLoopback(std::string_view host);

/// The token a surface requires ("" means open). With no configured token and either a
/// non-loopback `host` or `always_required`, read `<token_dir>/.homer-node-token`, creating it
/// (32 random bytes, base64url, mode 0600) when absent.
arrow::Result<std::string> ResolveToken(const std::string& configured, const std::string& host, bool always_required,
                                        const std::string& token_dir);

/// The token file's path in `token_dir`.
std::string TokenFilePath(const std::string& token_dir);

/// Does an Authorization header value carry `token`? "Bearer" is matched case-insensitively,
/// the value is trimmed, and the comparison takes the same time wherever the bytes differ.
bool BearerMatches(std::string_view header_value, std::string_view token);

/// Does an Authorization header value carry `token` as the password of HTTP Basic (any user
/// name)? Scheme case-insensitive, unpadded base64 accepted, password compared in constant time.
bool BasicMatches(std::string_view header_value, std::string_view token);

/// The tokens the node's surfaces require ("" = open), by the rules above: `node` for HTTP and
/// Flight (flight_server.auth_token), `flightsql` for Flight SQL when enabled (its own token,
/// else the node's, else the token file next to the first volume's catalog). Logs where a
/// token file is used, never a token.
struct NodeTokens {
  std::string node;
  std::string flightsql;
};
arrow::Result<NodeTokens> ResolveNodeTokens(const config::ServerConfig& config);

/// Constant-time equality: the time depends on neither the contents nor which bytes differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace homer::auth
