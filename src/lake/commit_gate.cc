#include "lake/commit_gate.h"

#include <filesystem>
#include <map>
#include <memory>

namespace homer::lake {

std::mutex& CommitGate(const std::string& catalog_path) {
  static std::mutex guard;
  static std::map<std::string, std::unique_ptr<std::mutex>> gates;
  std::error_code ec;
  const std::string key = std::filesystem::absolute(catalog_path, ec).lexically_normal().string();
  std::lock_guard lock(guard);
  auto& gate = gates[key];
  if (!gate) gate = std::make_unique<std::mutex>();
  return *gate;
}

}  // namespace homer::lake
