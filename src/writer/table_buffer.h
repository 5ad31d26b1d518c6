#pragma once
/// \file
/// One table's buffer: its appender on the buffer database and the sequence numbers that say
/// which of its rows are appended, committed to the buffer, and copied to the lake.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "duckdb/appender.h"
#include "lake/hep_tables.h"
#include "writer/record_layout.h"

namespace homer::writer {

struct TableBuffer {
  std::string name;
  lake::HepSchema schema;
  RecordLayout layout;
  std::unique_ptr<duckdb::ChunkAppender> appender;  ///< under Writer::mutex_
  int64_t next_seq = 1;                              ///< under Writer::mutex_
  std::atomic<int64_t> committed_seq{0};  ///< every row up to here is committed in the buffer
  std::atomic<int64_t> flushed_seq{0};    ///< every row up to here is in the lake
  std::atomic<int64_t> flushed_rows{0};   ///< since the start
  /// Rows up to here are gone from the buffer (flushed, and no query can miss them in the lake).
  std::atomic<int64_t> reclaimed_seq{0};

  /// Rows the buffer holds, readable or hidden by the lake's mark.
  int64_t held_rows() const { return next_seq - 1 - reclaimed_seq; }
};

/// The schema of a table the writer made (hep_proto_<N>_call|registration|default); false for
/// any other name.
bool SchemaOfTable(const std::string& table, lake::HepSchema* schema);

}  // namespace homer::writer
