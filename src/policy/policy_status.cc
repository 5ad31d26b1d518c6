#include "policy/policy_status.h"

#include <nlohmann/json.hpp>

namespace homer::policy {

std::string PolicyStatsJson(const StoragePolicy& policy) {
  const PolicyStats s = policy.stats();
  nlohmann::json volumes = nlohmann::json::array();
  for (const auto& v : policy.volumes()) volumes.push_back(v.label);
  return nlohmann::json{{"volumes", volumes},
                        {"move_cycles", s.move_cycles},
                        {"moves", s.moves},
                        {"move_failures", s.move_failures},
                        {"moved_rows", s.moved_rows},
                        {"moved_bytes", s.moved_bytes},
                        {"finished_moves_rows", s.finished_moves_rows},
                        {"expired_rows", s.expired_rows},
                        {"compaction_cycles", s.compaction_cycles},
                        {"rewrites", s.rewrites},
                        {"rewrite_failures", s.rewrite_failures},
                        {"rewritten_rows", s.rewritten_rows},
                        {"maintenance_failures", s.maintenance_failures},
                        {"busy_skips", s.busy_skips},
                        {"last_cycle_seconds", s.last_cycle_seconds},
                        {"last_cycle_unix_ms", s.last_cycle_unix_ms},
                        {"last_error", s.last_error},
                        {"last_error_unix_ms", s.last_error_unix_ms}}
      .dump();
}

}  // namespace homer::policy
