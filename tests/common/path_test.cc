#include "common/path.h"

#include <gtest/gtest.h>

namespace cairn {
namespace {

std::vector<std::string> Parts(std::string_view p) {
  auto r = SplitPath(p);
  EXPECT_TRUE(r.ok()) << p << ": " << r.status().ToString();
  std::vector<std::string> out;
  if (r.ok())
    for (auto s : *r) out.emplace_back(s);
  return out;
}

TEST(PathTest, ValidPaths) {
  EXPECT_TRUE(Parts("/").empty());
  EXPECT_EQ(Parts("/a"), (std::vector<std::string>{"a"}));
  EXPECT_EQ(Parts("/a/b c/d.txt"), (std::vector<std::string>{"a", "b c", "d.txt"}));
  EXPECT_EQ(Parts("/a/b/"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(Parts("/" + std::string(255, 'x')).size(), 1u);
}

TEST(PathTest, InvalidPaths) {
  for (const std::string& bad : std::vector<std::string>{"", "a/b", "relative", "/a//b", "/a/../b", "/a/./b", "/..", "/a:b",
                          "/" + std::string(256, 'x'), std::string("/a\0b", 4)}) {
    auto r = SplitPath(bad);
    EXPECT_FALSE(r.ok()) << "accepted: " << bad;
    if (!r.ok()) EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  }
  std::string longest(kMaxPathBytes + 1, 'a');
  longest[0] = '/';
  EXPECT_FALSE(SplitPath(longest).ok());
}

TEST(PathTest, JoinParentBase) {
  EXPECT_EQ(JoinPath("/", "a"), "/a");
  EXPECT_EQ(JoinPath("/a", "b"), "/a/b");
  EXPECT_EQ(ParentPath("/a/b/c"), "/a/b");
  EXPECT_EQ(ParentPath("/a"), "/");
  EXPECT_EQ(ParentPath("/"), "/");
  EXPECT_EQ(BaseName("/a/b/c"), "c");
  EXPECT_EQ(BaseName("/"), "");
}

}  // namespace
}  // namespace cairn
