#pragma once
/// \file
/// The storage policy's state as JSON text for the node's stats route (which knows no policy).

#include <string>

#include "policy/storage_policy.h"

namespace homer::policy {

/// {"volumes": [...], "moves", "move_failures", "moved_rows", ... , "last_error"}
std::string PolicyStatsJson(const StoragePolicy& policy);

}  // namespace homer::policy
