#include "common/auth.h"

#include <arrow/util/base64.h>
#include <openssl/crypto.h>
#include <spdlog/spdlog.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <sys/stat.h>

#include <cctype>
#include <cstring>
#include <optional>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "config/catalog.h"

namespace homer::auth {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Base64Url(const unsigned char* data, size_t n) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (size_t i = 0; i < n; ++i) {
    buffer = (buffer << 8) | data[i];
    bits += 8;
    while (bits >= 6) {
      out += kAlphabet[(buffer >> (bits - 6)) & 0x3f];
      bits -= 6;
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 0x3f];
  return out;
}

/// The credentials after `scheme` (matched case-insensitively, then white space), if it is that
/// scheme.
std::optional<std::string_view> Credentials(std::string_view header_value, std::string_view scheme) {
  std::string_view v = Trim(header_value);
  if (v.size() <= scheme.size()) return std::nullopt;
  for (size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(v[i])) != scheme[i]) return std::nullopt;
  }
  if (!std::isspace(static_cast<unsigned char>(v[scheme.size()]))) return std::nullopt;
  return Trim(v.substr(scheme.size()));
}

}  // namespace

bool IsLoopback(std::string_view host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

std::string TokenFilePath(const std::string& token_dir) {
  return (std::filesystem::path(token_dir) / ".homer-node-token").string();
}

arrow::Result<std::string> ResolveToken(const std::string& configured, const std::string& host, bool always_required,
                                        const std::string& token_dir) {
  if (!configured.empty()) return configured;
  if (!always_required && IsLoopback(host)) return std::string();
  const std::string path = TokenFilePath(token_dir);
  if (std::filesystem::exists(path)) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    std::string token(Trim(text.str()));
    if (!in || token.empty()) return arrow::Status::IOError("token file ", path, " is unreadable or empty");
    return token;
  }
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) return arrow::Status::IOError("no randomness for a token");
  std::string token = Base64Url(bytes, sizeof(bytes));
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return arrow::Status::IOError("cannot create token file ", path, ": ", std::strerror(errno));
  std::string line = token + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  if (!ok) return arrow::Status::IOError("cannot write token file ", path);
  return token;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // Comparing digests keeps even the lengths out of the timing.
  unsigned char da[SHA256_DIGEST_LENGTH], db[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(a.data()), a.size(), da);
  SHA256(reinterpret_cast<const unsigned char*>(b.data()), b.size(), db);
  return CRYPTO_memcmp(da, db, sizeof(da)) == 0 && a.size() == b.size();
}

bool BearerMatches(std::string_view header_value, std::string_view token) {
  const auto credentials = Credentials(header_value, "bearer");
  return credentials && ConstantTimeEquals(*credentials, token);
}

bool BasicMatches(std::string_view header_value, std::string_view token) {
  const auto credentials = Credentials(header_value, "basic");
  if (!credentials) return false;
  // Go's flight client (ADBC, Grafana) sends unpadded base64; restore the padding.
  std::string padded(*credentials);
  padded.append((4 - padded.size() % 4) % 4, '=');
  auto decoded = arrow::util::base64_decode(padded);
  if (!decoded.ok()) return false;
  const auto colon = decoded->find(':');
  if (colon == std::string::npos) return false;
  return ConstantTimeEquals(std::string_view(*decoded).substr(colon + 1), token);
}

arrow::Result<NodeTokens> ResolveNodeTokens(const config::ServerConfig& config) {
  const std::string token_dir = config::LocalDirectory(config.ducklake.volumes.front());
  NodeTokens tokens;
  const auto& flight = config.flight_server;
  ARROW_ASSIGN_OR_RAISE(tokens.node, ResolveToken(flight.auth_token, flight.host, false, token_dir));
  if (!tokens.node.empty() && flight.auth_token.empty()) {
    spdlog::warn("no auth_token configured on a non-loopback bind: using the token in {}", TokenFilePath(token_dir));
  }
  const auto& fsql = config.flightsql_server;
  if (fsql.enable) {
    // Its own auth_token, else the node's (flight_server's), else the token file.
    const std::string& configured = fsql.auth_token.empty() ? flight.auth_token : fsql.auth_token;
    ARROW_ASSIGN_OR_RAISE(tokens.flightsql, ResolveToken(configured, fsql.host, /*always_required=*/true, token_dir));
    if (configured.empty()) {
      spdlog::warn("Flight SQL always needs a token: using the one in {}", TokenFilePath(token_dir));
    }
  }
  return tokens;
}

}  // namespace homer::auth
