// The writer's journal: entries come back in order with every field, a torn tail ends replay
// without an error, and released segments are gone.
#include "writer/journal.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "testing/lake_fixture.h"

namespace homer::writer {
namespace {

ingest::CaptureRecord Record(int n) {
  ingest::CaptureRecord r;
  r.proto_type = 1;
  r.timestamp_us = 1000 + n;
  r.src_port = 5060;
  r.dst_port = 5061;
  r.protocol = 17;
  r.session_id = "call-" + std::to_string(n);
  r.payload = std::string(100 + n, 'x');
  r.data_extra = "{\"version\":3}";
  return r;
}

std::vector<std::pair<int64_t, ingest::CaptureRecord>> ReplayAll(Journal& journal) {
  std::vector<std::pair<int64_t, ingest::CaptureRecord>> out;
  auto st = journal.Replay([&](const std::string& table, int64_t seq, ingest::CaptureRecord&& r) {
    EXPECT_EQ(table, "hep_proto_1_call");
    out.emplace_back(seq, std::move(r));
    return arrow::Status::OK();
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

TEST(Journal, ReplaysWhatWasWrittenAndStopsAtATornTail) {
  testing::TempDir dir;
  {
    auto journal = Journal::Open(dir.str(), /*segment_bytes=*/1000);
    ASSERT_TRUE(journal.ok());
    for (int n = 1; n <= 30; ++n) {
      (*journal)->Add("hep_proto_1_call", n, Record(n));
      if (n % 5 == 0) {
        ASSERT_TRUE((*journal)->Write().ok());
      }
    }
    ASSERT_TRUE((*journal)->Sync().ok());
    EXPECT_GT((*journal)->segments(), 1);  // rotated at 1000 bytes
  }
  auto journal = Journal::Open(dir.str());
  ASSERT_TRUE(journal.ok());
  auto entries = ReplayAll(**journal);
  ASSERT_EQ(entries.size(), 30u);
  for (int n = 1; n <= 30; ++n) {
    const auto& [seq, r] = entries[n - 1];
    EXPECT_EQ(seq, n);
    EXPECT_EQ(r.session_id, "call-" + std::to_string(n));
    EXPECT_EQ(r.timestamp_us, 1000 + n);
    EXPECT_EQ(r.payload.size(), static_cast<size_t>(100 + n));
    EXPECT_EQ(r.dst_port, 5061u);
    EXPECT_EQ(r.data_extra, "{\"version\":3}");
  }
  // A crash in the middle of a write leaves half an entry at the end of the last segment.
  std::string last;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) last = std::max(last, e.path().string());
  const auto size = std::filesystem::file_size(last);
  std::filesystem::resize_file(last, size - 7);
  auto reopened = Journal::Open(dir.str());
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(ReplayAll(**reopened).size(), 29u);
}

TEST(Journal, ReleasedSegmentsAreDeleted) {
  testing::TempDir dir;
  auto journal = Journal::Open(dir.str(), /*segment_bytes=*/500);
  ASSERT_TRUE(journal.ok());
  for (int n = 1; n <= 20; ++n) {
    (*journal)->Add("hep_proto_1_call", n, Record(n));
    ASSERT_TRUE((*journal)->Write().ok());
  }
  const auto before = (*journal)->segments();
  (*journal)->Release({{"hep_proto_1_call", 10}});
  EXPECT_LT((*journal)->segments(), before);
  auto reopened = Journal::Open(dir.str());
  ASSERT_TRUE(reopened.ok());
  auto entries = ReplayAll(**reopened);
  ASSERT_FALSE(entries.empty());
  EXPECT_LE(entries.front().first, 11);  // nothing above the mark was released
  EXPECT_EQ(entries.back().first, 20);
}

}  // namespace
}  // namespace homer::writer
