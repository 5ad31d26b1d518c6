#pragma once
/// \file
/// A statement rewritten to read a snapshot pin (lake/snapshot_pin.h): each reference to a
/// table of the merged lake becomes the merged view's SELECT at the pinned snapshots, and each
/// reference to a volume's own table reads it `AT (VERSION => n)`. The references are those
/// DuckDB's parser found for the sandbox (engine/sandbox.h, with the byte offset of each), and
/// they are replaced in the statement's text, so the rest of the statement runs as written.

#include <optional>
#include <string>
#include <vector>

#include "engine/sandbox.h"
#include "lake/merged_catalog.h"
#include "lake/snapshot_pin.h"

namespace homer::engine {

/// What the merged lake is made of, as the engine last built its views.
struct LakeLayout {
  std::string lake_name;
  bool merged = false;  ///< false: the lake is one volume's catalog itself
  std::vector<lake::MergedVolume> volumes;
  std::vector<lake::MergedTable> tables;
};

/// `sql` reading `pin`, given the table references `refs` of `sql`; nullopt when one of them
/// cannot be located in the text (the caller then runs the statement unpinned and counts it).
std::optional<std::string> PinnedSql(const std::string& sql, const std::vector<TableRef>& refs,
                                     const LakeLayout& layout, const lake::SnapshotPin& pin);

}  // namespace homer::engine
