#pragma once
/// \file
/// The writer's journal: every record appended to the buffer is first written to an append-only
/// file, so that the buffer itself can live in memory (no WAL, no checkpoints: each row is
/// encoded once for the buffer and once for Parquet). Each Write batch reaches the kernel at once
/// (kill -9 loses nothing written); fdatasync runs every durable interval (power loss). At start,
/// entries not yet in the lake (sequence above the table's mark) are replayed into the buffer.
/// Segments are deleted once the lake holds all their entries. Thread-safe.

#include <arrow/result.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ingest/capture_record.h"

namespace homer::writer {

class Journal {
 public:
  /// Open (creating) the directory; the next segment is numbered after the existing ones.
  static arrow::Result<std::unique_ptr<Journal>> Open(const std::string& dir, int64_t segment_bytes = 64 << 20);
  ~Journal();

  /// Add one entry to the pending batch.
  void Add(const std::string& table, int64_t seq, const ingest::CaptureRecord& record);
  /// Write the pending batch to the current segment (one write call).
  arrow::Status Write();
  /// Make what was written durable (fdatasync).
  arrow::Status Sync();
  /// Delete the segments whose every entry is at or below `flushed[table]`.
  void Release(const std::map<std::string, int64_t>& flushed);

  /// Every entry of every segment, oldest first; a torn entry at the end of a segment (a crash
  /// during a write) ends that segment.
  using Visitor = std::function<arrow::Status(const std::string& table, int64_t seq, ingest::CaptureRecord&& record)>;
  arrow::Status Replay(const Visitor& visit);

  int64_t segments() const { return static_cast<int64_t>(segments_.size()); }

 private:
  struct Segment {
    std::string path;
    std::map<std::string, int64_t> max_seq;  ///< per table
  };
  Journal(std::string dir, int64_t segment_bytes);
  arrow::Status Rotate();

  std::mutex mutex_;
  std::string dir_;
  int64_t segment_bytes_;
  int fd_ = -1;
  int64_t written_ = 0;  ///< bytes in the current segment
  uint64_t next_number_ = 1;
  std::vector<Segment> segments_;  ///< oldest first; the last is the current one
  std::string pending_;
  std::map<std::string, int64_t> pending_max_;
};

}  // namespace homer::writer
