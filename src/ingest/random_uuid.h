#pragma once
/// \file
/// Row ids: random UUIDv4 text without a system call per id.

#include <string>

namespace homer::ingest {

/// Set `*out` to a random UUIDv4 in its 36-character lowercase form. The bits come from a
/// per-thread xoshiro256** seeded once from std::random_device: unique enough for row ids, not
/// meant for secrets.
void RandomUuid(std::string* out);

}  // namespace homer::ingest
