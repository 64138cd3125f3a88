// Descriptor passing over a Unix socket: what is sent under a key is taken once, readable
// in the receiver; the inbox stays bounded; a peer of another account is refused.
#include "compute/runtime/descriptor_passing.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/support/test_util.h"

namespace cairn::compute {
namespace {

class DescriptorPassingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("fdpass");
    ASSERT_OK(testing::WriteLocalFile(dir_ + "/data", "replica bytes"));
    ASSERT_OK_AND_ASSIGN(inbox_, DescriptorInbox::Listen(dir_ + "/inbox.sock"));
  }
  void TearDown() override {
    inbox_.reset();
    testing::RemoveTree(dir_);
  }
  static std::string ReadAll(int fd) {
    char buf[64];
    ssize_t n = ::pread(fd, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  }
  std::string dir_;
  std::unique_ptr<DescriptorInbox> inbox_;
};

TEST_F(DescriptorPassingTest, WhatIsSentUnderAKeyIsTakenOnce) {
  int fd = ::open((dir_ + "/data").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  const std::string key = RandomDescriptorKey();
  ASSERT_EQ(key.size(), 32u);
  ASSERT_OK(SendDescriptors(dir_ + "/inbox.sock", key, {fd, fd}));
  ::close(fd);
  EXPECT_TRUE(inbox_->Take("some other key").empty());
  std::vector<int> got = inbox_->Take(key);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(ReadAll(got[0]), "replica bytes");
  EXPECT_EQ(ReadAll(got[1]), "replica bytes");
  for (int f : got) ::close(f);
  EXPECT_TRUE(inbox_->Take(key).empty());
  struct stat st{};
  ASSERT_EQ(::stat((dir_ + "/inbox.sock").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u) << "only its owner may connect";
}

TEST_F(DescriptorPassingTest, TheInboxKeepsABoundedNumberOfEntries) {
  int fd = ::open((dir_ + "/data").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  for (size_t i = 0; i < DescriptorInbox::kMaxEntries + 10; ++i)
    ASSERT_OK(SendDescriptors(dir_ + "/inbox.sock", "k" + std::to_string(i), {fd}));
  ::close(fd);
  EXPECT_TRUE(inbox_->Take("k0").empty()) << "the oldest entries were closed";
  EXPECT_TRUE(inbox_->Take("k9").empty());
  std::vector<int> newest = inbox_->Take("k" + std::to_string(DescriptorInbox::kMaxEntries + 9));
  ASSERT_EQ(newest.size(), 1u);
  ::close(newest[0]);
}

TEST_F(DescriptorPassingTest, APeerOfAnotherAccountIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to act as another account";
  ::chmod(dir_.c_str(), 0755);
  ::chmod((dir_ + "/inbox.sock").c_str(), 0666);  // so only the credential check stands in the way
  pid_t child = ::fork();
  if (child == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(3);
    int fd = ::open("/dev/null", O_RDONLY);
    ::_exit(SendDescriptors(dir_ + "/inbox.sock", "stranger", {fd}).ok() ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1) << "the send should have failed";
  EXPECT_TRUE(inbox_->Take("stranger").empty());
}

TEST_F(DescriptorPassingTest, BadArgumentsAreClearErrors) {
  EXPECT_FALSE(SendDescriptors(dir_ + "/inbox.sock", "", {0}).ok());
  EXPECT_FALSE(SendDescriptors(dir_ + "/inbox.sock", "k", {}).ok());
  EXPECT_FALSE(SendDescriptors(dir_ + "/no-such.sock", "k", {0}).ok());
}

}  // namespace
}  // namespace cairn::compute
