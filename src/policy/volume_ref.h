#pragma once
/// \file
/// A storage policy volume as its jobs use it: attached read-write in the policy's database.

#include <string>

namespace homer::policy {

struct VolumeRef {
  std::string label;        ///< the volume's name (storage_volume)
  std::string catalog;      ///< attach name (read-write)
  std::string catalog_path; ///< its catalog database (maintenance lock)
  std::string data_prefix;  ///< data folder or s3:// prefix, with a trailing /
};

}  // namespace homer::policy
