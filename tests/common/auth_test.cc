#include "common/auth.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "testing/lake_fixture.h"

namespace homer::auth {
namespace {

TEST(Auth, BearerHeaderRules) {
  EXPECT_TRUE(BearerMatches("Bearer tok", "tok"));
  EXPECT_TRUE(BearerMatches("bearer tok", "tok"));
  EXPECT_TRUE(BearerMatches("  BEARER \t tok  ", "tok"));
  EXPECT_FALSE(BearerMatches("Bearer tok2", "tok"));
  EXPECT_FALSE(BearerMatches("Bearer to", "tok"));
  EXPECT_FALSE(BearerMatches("tok", "tok"));
  EXPECT_FALSE(BearerMatches("Basic tok", "tok"));
  EXPECT_FALSE(BearerMatches("Bearertok", "tok"));
  EXPECT_FALSE(BearerMatches("Bearer ", "tok"));
  EXPECT_FALSE(BearerMatches("", "tok"));
}

TEST(Auth, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

TEST(Auth, Loopback) {
  EXPECT_TRUE(IsLoopback("127.0.0.1"));
  EXPECT_TRUE(IsLoopback("127.1.2.3"));
  EXPECT_TRUE(IsLoopback("localhost"));
  EXPECT_TRUE(IsLoopback("::1"));
  EXPECT_FALSE(IsLoopback("0.0.0.0"));
  EXPECT_FALSE(IsLoopback("10.0.0.1"));
  EXPECT_FALSE(IsLoopback("::"));
}

TEST(Auth, ConfiguredTokenWins) {
  homer::testing::TempDir dir;
  EXPECT_EQ(*ResolveToken("mine", "0.0.0.0", true, dir.str()), "mine");
  EXPECT_FALSE(std::filesystem::exists(TokenFilePath(dir.str())));
}

TEST(Auth, LoopbackWithoutTokenIsOpen) {
  homer::testing::TempDir dir;
  EXPECT_EQ(*ResolveToken("", "127.0.0.1", false, dir.str()), "");
}

TEST(Auth, TokenFileIsCreatedOnceWithMode0600) {
  homer::testing::TempDir dir;
  auto first = ResolveToken("", "0.0.0.0", false, dir.str());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->size(), 43u);  // 32 bytes, base64url without padding
  EXPECT_EQ(first->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
  struct stat st;
  ASSERT_EQ(stat(TokenFilePath(dir.str()).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(*ResolveToken("", "0.0.0.0", false, dir.str()), *first);  // read back, not regenerated
  // Flight SQL always needs a token, even on loopback.
  EXPECT_EQ(*ResolveToken("", "127.0.0.1", true, dir.str()), *first);
}

TEST(Auth, EmptyTokenFileIsAnError) {
  homer::testing::TempDir dir;
  std::ofstream(TokenFilePath(dir.str())) << "\n";
  auto token = ResolveToken("", "0.0.0.0", false, dir.str());
  ASSERT_FALSE(token.ok());
  EXPECT_NE(token.status().message().find(".homer-node-token"), std::string::npos);
}

TEST(Auth, BasicWithTokenAsPassword) {
  // base64("user:s3cret") and base64("user:wrong")
  EXPECT_TRUE(BasicMatches("Basic dXNlcjpzM2NyZXQ=", "s3cret"));
  EXPECT_TRUE(BasicMatches("basic dXNlcjpzM2NyZXQ=", "s3cret"));
  EXPECT_FALSE(BasicMatches("Basic dXNlcjp3cm9uZw==", "s3cret"));
  EXPECT_FALSE(BasicMatches("Bearer s3cret", "s3cret"));
  EXPECT_FALSE(BasicMatches("Basic !!!", "s3cret"));
  EXPECT_TRUE(BasicMatches("Basic dXNlcjpzM2NyZXQ", "s3cret"));  // unpadded, as Go sends it
}

}  // namespace
}  // namespace homer::auth
