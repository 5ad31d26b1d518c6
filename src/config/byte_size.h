#pragma once
/// \file
/// Sizes as the config writes them, read the way DuckDB reads its own settings.

#include <cstdint>
#include <optional>
#include <string>

namespace homer::config {

/// "512MB" -> 512000000, "1GiB" -> 1073741824, "100" -> 100 (bytes): B or bytes, KB/MB/GB/TB
/// (powers of 1000) and KiB/MiB/GiB/TiB (of 1024), any case, spaces allowed. nullopt for
/// anything else, a percentage included.
std::optional<uint64_t> ParseByteSize(const std::string& text);

}  // namespace homer::config
