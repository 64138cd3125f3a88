// AttrCache: entries per user, expiry, erasing a path with its parent, a whole subtree on
// rename/rmdir, and the size bound.
#include "client/fuse/attr_cache.h"

#include <gtest/gtest.h>

#include "tests/support/mini_cluster.h"

namespace cairn::fuse {
namespace {

client::FileStatus Status(const std::string& path, uint64_t length = 1) {
  client::FileStatus st;
  st.path = path;
  st.length = length;
  return st;
}

TEST(AttrCacheTest, PerUserEntries) {
  AttrCache cache(60000, 100);
  cache.Put("alice", Status("/a", 5));
  ASSERT_TRUE(cache.Get("alice", "/a").has_value());
  EXPECT_EQ(cache.Get("alice", "/a")->length, 5u);
  EXPECT_FALSE(cache.Get("bob", "/a").has_value());  // the namenode decides what bob sees
}

TEST(AttrCacheTest, EraseTakesThePathAndItsParentForEveryUser) {
  AttrCache cache(60000, 100);
  for (const char* user : {"alice", "bob"}) {
    for (const char* p : {"/d", "/d/f", "/d/g", "/other"}) cache.Put(user, Status(p));
  }
  cache.Erase("/d/f");
  for (const char* user : {"alice", "bob"}) {
    EXPECT_FALSE(cache.Get(user, "/d/f").has_value());
    EXPECT_FALSE(cache.Get(user, "/d").has_value());  // its mtime moved
    EXPECT_TRUE(cache.Get(user, "/d/g").has_value());
    EXPECT_TRUE(cache.Get(user, "/other").has_value());
  }
}

TEST(AttrCacheTest, EraseTreeTakesEverythingBelowButNotLookalikes) {
  AttrCache cache(60000, 100);
  for (const char* p : {"/", "/a", "/a/b", "/a/b/c", "/ab", "/a.txt"}) cache.Put("u", Status(p));
  cache.EraseTree("/a");
  EXPECT_FALSE(cache.Get("u", "/a").has_value());
  EXPECT_FALSE(cache.Get("u", "/a/b").has_value());
  EXPECT_FALSE(cache.Get("u", "/a/b/c").has_value());
  EXPECT_FALSE(cache.Get("u", "/").has_value());
  EXPECT_TRUE(cache.Get("u", "/ab").has_value());
  EXPECT_TRUE(cache.Get("u", "/a.txt").has_value());
}

TEST(AttrCacheTest, EntriesExpire) {
  AttrCache cache(50, 100);
  cache.Put("u", Status("/x"));
  EXPECT_TRUE(cache.Get("u", "/x").has_value());
  ASSERT_EVENTUALLY(!cache.Get("u", "/x").has_value(), 5000);
}

TEST(AttrCacheTest, ZeroTimeoutDisablesIt) {
  AttrCache cache(0, 100);
  cache.Put("u", Status("/x"));
  EXPECT_FALSE(cache.Get("u", "/x").has_value());
  EXPECT_EQ(cache.size(), 0u);
}

TEST(AttrCacheTest, StaysWithinItsSize) {
  AttrCache cache(60000, 10);
  for (int i = 0; i < 100; ++i) {
    cache.Put("u", Status("/f" + std::to_string(i)));
    EXPECT_LE(cache.size(), 10u);
  }
  EXPECT_TRUE(cache.Get("u", "/f99").has_value());  // the newest entry is always kept
}

}  // namespace
}  // namespace cairn::fuse
