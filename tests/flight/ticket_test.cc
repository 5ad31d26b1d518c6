#include "flight/ticket.h"

#include <gtest/gtest.h>

namespace homer::flight {
namespace {

TEST(Ticket, RoundTrips) {
  for (bool zstd : {false, true}) {
    TicketContent in{"SELECT 'x''y', \"a\" FROM t WHERE b = '\xe2\x9c\x93'", zstd};
    auto out = DecodeTicket(EncodeTicket(in));
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ(out->sql, in.sql);
    EXPECT_EQ(out->zstd, zstd);
  }
}

TEST(Ticket, IsSelfContainedAndVersioned) {
  const std::string ticket = EncodeTicket({"SELECT 1", false});
  EXPECT_EQ(ticket.substr(0, 4), "HNT1");
  // Another format version: refused with the reason.
  std::string other = ticket;
  other[3] = '2';
  auto st = DecodeTicket(other).status();
  EXPECT_TRUE(st.IsInvalid());
  EXPECT_NE(st.message().find("another homer-node version"), std::string::npos) << st;
}

TEST(Ticket, RefusesWhatIsNotOurs) {
  for (std::string bad : {std::string(), std::string("SELECT 1"), std::string("HNT"), std::string("HNT1"),
                          std::string("HNT1\xc1"), std::string("HNT1\x93\x01\x02\x03")}) {
    auto st = DecodeTicket(bad).status();
    EXPECT_TRUE(st.IsInvalid()) << bad << ": " << st;
  }
  // A well-formed map without a statement.
  EXPECT_TRUE(DecodeTicket(std::string("HNT1\x80", 5)).status().IsInvalid());
}

}  // namespace
}  // namespace homer::flight
