#include "writer/journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace homer::writer {
namespace {

namespace fs = std::filesystem;
using ingest::CaptureRecord;

constexpr uint32_t kMagic = 0x484a524e;  // "HJRN": an entry starts here

// The record's fields in one fixed order, for writing and reading alike.
template <typename Fn>
void ForEachText(CaptureRecord& r, Fn&& fn) {
  for (std::string* s : {&r.effective_method, &r.uuid, &r.session_id, &r.caller, &r.callee, &r.src_ip, &r.dst_ip,
                         &r.method, &r.response_code, &r.cseq_method, &r.node_id, &r.cid, &r.aor, &r.contact,
                         &r.expires, &r.user_agent, &r.payload, &r.data_extra}) {
    fn(*s);
  }
}

template <typename T>
void Put(std::string* out, T value) {
  out->append(reinterpret_cast<const char*>(&value), sizeof(T));
}
void PutText(std::string* out, const std::string& s) {
  Put<uint32_t>(out, static_cast<uint32_t>(s.size()));
  out->append(s);
}

/// Reads fixed-size values and texts from an entry; false once past its end.
struct Reader {
  const char* at;
  const char* end;
  template <typename T>
  bool Get(T* value) {
    if (end - at < static_cast<ptrdiff_t>(sizeof(T))) return false;
    std::memcpy(value, at, sizeof(T));
    at += sizeof(T);
    return true;
  }
  bool GetText(std::string* s) {
    uint32_t n = 0;
    if (!Get(&n) || end - at < static_cast<ptrdiff_t>(n)) return false;
    s->assign(at, n);
    at += n;
    return true;
  }
};

std::string SegmentName(uint64_t number) {
  char name[32];
  std::snprintf(name, sizeof(name), "segment-%012llu.journal", static_cast<unsigned long long>(number));
  return name;
}

arrow::Status Errno(const std::string& what, const std::string& path) {
  return arrow::Status::IOError("writer journal: ", what, " ", path, ": ", std::strerror(errno));
}

}  // namespace

Journal::Journal(std::string dir, int64_t segment_bytes) : dir_(std::move(dir)), segment_bytes_(segment_bytes) {}

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

arrow::Result<std::unique_ptr<Journal>> Journal::Open(const std::string& dir, int64_t segment_bytes) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return arrow::Status::IOError("writer journal: cannot create ", dir, ": ", ec.message());
  std::unique_ptr<Journal> journal(new Journal(dir, segment_bytes));
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("segment-", 0) == 0 && entry.path().extension() == ".journal") names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    journal->segments_.push_back({(fs::path(dir) / name).string(), {}});
    journal->next_number_ = std::max<uint64_t>(journal->next_number_, std::stoull(name.substr(8)) + 1);
  }
  return journal;
}

void Journal::Add(const std::string& table, int64_t seq, const CaptureRecord& record) {
  std::lock_guard lock(mutex_);
  const size_t start = pending_.size();
  Put<uint32_t>(&pending_, kMagic);
  Put<uint32_t>(&pending_, 0);  // entry length, set below
  PutText(&pending_, table);
  Put<int64_t>(&pending_, seq);
  Put<uint32_t>(&pending_, record.proto_type);
  Put<int64_t>(&pending_, record.timestamp_us);
  Put<uint32_t>(&pending_, record.src_port);
  Put<uint32_t>(&pending_, record.dst_port);
  Put<uint32_t>(&pending_, record.protocol);
  ForEachText(const_cast<CaptureRecord&>(record), [&](const std::string& s) { PutText(&pending_, s); });
  const uint32_t length = static_cast<uint32_t>(pending_.size() - start - 8);
  std::memcpy(pending_.data() + start + 4, &length, sizeof(length));
  auto& top = pending_max_[table];
  top = std::max(top, seq);
}

arrow::Status Journal::Rotate() {
  if (fd_ >= 0) {
    ::fdatasync(fd_);
    ::close(fd_);
  }
  const std::string path = (fs::path(dir_) / SegmentName(next_number_++)).string();
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) return Errno("cannot create", path);
  written_ = 0;
  segments_.push_back({path, {}});
  return arrow::Status::OK();
}

arrow::Status Journal::Write() {
  std::lock_guard lock(mutex_);
  if (pending_.empty()) return arrow::Status::OK();
  if (fd_ < 0 || written_ >= segment_bytes_) ARROW_RETURN_NOT_OK(Rotate());
  for (size_t done = 0; done < pending_.size();) {
    const ssize_t n = ::write(fd_, pending_.data() + done, pending_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Errno("cannot write", segments_.back().path);
    done += static_cast<size_t>(n);
  }
  written_ += static_cast<int64_t>(pending_.size());
  for (const auto& [table, seq] : pending_max_) {
    auto& top = segments_.back().max_seq[table];
    top = std::max(top, seq);
  }
  pending_.clear();
  pending_max_.clear();
  return arrow::Status::OK();
}

arrow::Status Journal::Sync() {
  std::lock_guard lock(mutex_);
  if (fd_ >= 0 && ::fdatasync(fd_) != 0) return Errno("cannot sync", segments_.back().path);
  return arrow::Status::OK();
}

void Journal::Release(const std::map<std::string, int64_t>& flushed) {
  std::lock_guard lock(mutex_);
  std::vector<Segment> keep;
  for (size_t i = 0; i < segments_.size(); ++i) {
    const bool current = i + 1 == segments_.size() && fd_ >= 0;
    bool done = !current;
    for (const auto& [table, seq] : segments_[i].max_seq) {
      auto it = flushed.find(table);
      done = done && it != flushed.end() && it->second >= seq;
    }
    if (done) {
      std::error_code ec;
      fs::remove(segments_[i].path, ec);
    } else {
      keep.push_back(std::move(segments_[i]));
    }
  }
  segments_ = std::move(keep);
}

arrow::Status Journal::Replay(const Visitor& visit) {
  std::lock_guard lock(mutex_);
  for (auto& segment : segments_) {
    std::ifstream in(segment.path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const char* at = bytes.data();
    const char* end = at + bytes.size();
    while (end - at >= 8) {
      uint32_t magic = 0, length = 0;
      std::memcpy(&magic, at, 4);
      std::memcpy(&length, at + 4, 4);
      if (magic != kMagic || end - at - 8 < static_cast<ptrdiff_t>(length)) break;  // torn tail
      Reader r{at + 8, at + 8 + length};
      std::string table;
      int64_t seq = 0;
      CaptureRecord record;
      bool ok = r.GetText(&table) && r.Get(&seq) && r.Get(&record.proto_type) && r.Get(&record.timestamp_us) &&
                r.Get(&record.src_port) && r.Get(&record.dst_port) && r.Get(&record.protocol);
      ForEachText(record, [&](std::string& s) { ok = ok && r.GetText(&s); });
      if (!ok) break;
      at += 8 + length;
      auto& top = segment.max_seq[table];
      top = std::max(top, seq);
      ARROW_RETURN_NOT_OK(visit(table, seq, std::move(record)));
    }
  }
  return arrow::Status::OK();
}

}  // namespace homer::writer
