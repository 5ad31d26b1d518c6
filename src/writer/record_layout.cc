#include "writer/record_layout.h"

#include <string_view>
#include <utility>

namespace homer::writer {
namespace {

using ingest::CaptureRecord;
using duckdb::ChunkAppender;

template <std::string CaptureRecord::*Field>
void Text(const CaptureRecord& r, size_t c, ChunkAppender* a) {
  a->SetText(c, r.*Field);
}
template <uint32_t CaptureRecord::*Field>
void UInt(const CaptureRecord& r, size_t c, ChunkAppender* a) {
  a->SetUInt32(c, r.*Field);
}
void Timestamp(const CaptureRecord& r, size_t c, ChunkAppender* a) { a->SetTimestampMicros(c, r.timestamp_us); }
void Date(const CaptureRecord& r, size_t c, ChunkAppender* a) { a->SetDate(c, UtcDay(r.timestamp_us)); }

/// Column name -> the record field it holds. Every column of every HEP schema is here.
constexpr std::pair<std::string_view, void (*)(const CaptureRecord&, size_t, ChunkAppender*)> kFields[] = {
    {"uuid", Text<&CaptureRecord::uuid>},
    {"date", Date},
    {"timestamp", Timestamp},
    {"session_id", Text<&CaptureRecord::session_id>},
    {"caller", Text<&CaptureRecord::caller>},
    {"callee", Text<&CaptureRecord::callee>},
    {"src_ip", Text<&CaptureRecord::src_ip>},
    {"dst_ip", Text<&CaptureRecord::dst_ip>},
    {"src_port", UInt<&CaptureRecord::src_port>},
    {"dst_port", UInt<&CaptureRecord::dst_port>},
    {"method", Text<&CaptureRecord::method>},
    {"response_code", Text<&CaptureRecord::response_code>},
    {"cseq_method", Text<&CaptureRecord::cseq_method>},
    {"protocol", UInt<&CaptureRecord::protocol>},
    {"node_id", Text<&CaptureRecord::node_id>},
    {"cid", Text<&CaptureRecord::cid>},
    {"aor", Text<&CaptureRecord::aor>},
    {"contact", Text<&CaptureRecord::contact>},
    {"expires", Text<&CaptureRecord::expires>},
    {"user_agent", Text<&CaptureRecord::user_agent>},
    {"payload", Text<&CaptureRecord::payload>},
    {"data_extra", Text<&CaptureRecord::data_extra>},
};

}  // namespace

int32_t UtcDay(int64_t timestamp_us) {
  constexpr int64_t kDay = 86400LL * 1000000;
  return static_cast<int32_t>(timestamp_us >= 0 ? timestamp_us / kDay : (timestamp_us - kDay + 1) / kDay);
}

arrow::Result<RecordLayout> RecordLayout::For(lake::HepSchema schema) {
  RecordLayout layout;
  for (const auto& column : lake::HepColumns(schema)) {
    Setter found = nullptr;
    for (const auto& [name, setter] : kFields) {
      if (name == column.name) found = setter;
    }
    if (!found) return arrow::Status::Invalid("no capture record field for column '", column.name, "'");
    layout.setters_.push_back(found);
  }
  return layout;
}

arrow::Status RecordLayout::Append(const CaptureRecord& record, int64_t seq, ChunkAppender* appender) const {
  for (size_t c = 0; c < setters_.size(); ++c) setters_[c](record, c, appender);
  appender->SetInt64(setters_.size(), seq);
  return appender->EndRow();
}

}  // namespace homer::writer
