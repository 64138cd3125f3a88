// TaskFile (compute/local_files.h): the executor, as root, opens files in a directory a
// task's account controls without following symbolic links anywhere below the trusted
// directory, so a task cannot point it at a block file or another user's files.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "compute/local_files.h"
#include "tests/support/test_util.h"

namespace cairn::compute {
namespace {

class TaskFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("taskfile");
    ASSERT_TRUE(testing::WriteLocalFile(dir_ + "/secret", "not yours").ok());
    attempt_ = dir_ + "/attempt";
    std::filesystem::create_directories(attempt_ + "/output");
    ASSERT_TRUE(testing::WriteLocalFile(attempt_ + "/output/file.out", "map output").ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_, attempt_;
};

TEST_F(TaskFileTest, ReadsRegularFilesThroughItsDescriptor) {
  auto f = TaskFile::Open(attempt_, "output/file.out");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  auto text = ReadWholeFile(f->path());
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(*text, "map output");
}

TEST_F(TaskFileTest, RefusesALinkAsTheFileOrAsADirectoryOnTheWay) {
  // The task replaces its output file with a link to something it may not read.
  std::filesystem::remove(attempt_ + "/output/file.out");
  std::filesystem::create_symlink(dir_ + "/secret", attempt_ + "/output/file.out");
  auto f = TaskFile::Open(attempt_, "output/file.out");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("symbolic link"), std::string::npos) << f.status().ToString();
  // Or its output directory with a link to a directory holding such a file.
  std::filesystem::remove_all(attempt_ + "/output");
  std::filesystem::create_directories(dir_ + "/elsewhere");
  ASSERT_TRUE(testing::WriteLocalFile(dir_ + "/elsewhere/file.out", "not yours either").ok());
  std::filesystem::create_directory_symlink(dir_ + "/elsewhere", attempt_ + "/output");
  EXPECT_FALSE(TaskFile::Open(attempt_, "output/file.out").ok());
  // A plain path through the same link would have been followed.
  EXPECT_TRUE(ReadWholeFile(attempt_ + "/output/file.out").ok());
}

TEST_F(TaskFileTest, RefusesNamesThatLeaveTheDirectoryAndReportsMissingFiles) {
  for (const char* bad : {"../secret", "output/../../secret", "", "output//file.out", "./output/file.out"}) {
    auto f = TaskFile::Open(attempt_, bad);
    EXPECT_FALSE(f.ok()) << bad;
    if (!f.ok()) EXPECT_EQ(f.status().code(), ErrorCode::kInvalidArgument) << bad;
  }
  auto missing = TaskFile::Open(attempt_, "output/nothing");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace cairn::compute
