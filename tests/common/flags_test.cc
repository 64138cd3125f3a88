#include "common/flags.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/test_util.h"

namespace cairn {
namespace {

struct Settings {
  int port = 8020;
  bool verbose = false;
  std::string dir = "/tmp/x";
  ByteSize block{128ull << 20};
  int64_t timeout_ms = 1000;
};

void Bind(FlagSet& flags, Settings* s) {
  flags.Add("test_port", &s->port, "port");
  flags.Add("test_verbose", &s->verbose, "verbose");
  flags.Add("test_dir", &s->dir, "dir");
  flags.Add("test_block", &s->block, "block size");
  flags.Add("test_timeout_ms", &s->timeout_ms, "timeout");
}

Status ParseArgs(FlagSet& flags, std::vector<std::string> args, std::vector<std::string>* pos = nullptr) {
  std::vector<char*> argv;
  std::string prog = "prog";
  argv.push_back(prog.data());
  for (auto& a : args) argv.push_back(a.data());
  return flags.Parse(static_cast<int>(argv.size()), argv.data(), pos);
}

TEST(FlagsTest, DefaultsAndOverrides) {
  Settings s;
  FlagSet flags("prog", "test");
  Bind(flags, &s);
  ASSERT_TRUE(ParseArgs(flags, {"--test_port=9000", "--test_verbose", "--test_block", "64KiB"}).ok());
  EXPECT_EQ(s.port, 9000);
  EXPECT_TRUE(s.verbose);
  EXPECT_EQ(s.block.bytes, 64u * 1024);
  EXPECT_EQ(s.dir, "/tmp/x");
}

TEST(FlagsTest, ConfigFileAndCommandLinePrecedence) {
  std::string dir = testing::MakeTempDir("flags");
  std::string conf = dir + "/c.conf";
  ASSERT_TRUE(testing::WriteLocalFile(conf, "# comment\ntest_port = 7000\ntest_dir = /data\n").ok());
  Settings s;
  FlagSet flags("prog", "test");
  Bind(flags, &s);
  ASSERT_TRUE(ParseArgs(flags, {"--config", conf, "--test_port=7100"}).ok());
  EXPECT_EQ(s.port, 7100);
  EXPECT_EQ(s.dir, "/data");
  testing::RemoveTree(dir);
}

TEST(FlagsTest, ErrorsAndHelp) {
  Settings s;
  FlagSet flags("prog", "test");
  Bind(flags, &s);
  EXPECT_EQ(ParseArgs(flags, {"--nope=1"}).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseArgs(flags, {"--test_port=abc"}).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseArgs(flags, {"--test_block=12parsecs"}).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseArgs(flags, {"stray"}).code(), ErrorCode::kInvalidArgument);
  std::vector<std::string> pos;
  ASSERT_TRUE(ParseArgs(flags, {"a", "b"}, &pos).ok());
  EXPECT_EQ(pos, (std::vector<std::string>{"a", "b"}));
  FlagSet help("prog", "does things");
  Bind(help, &s);
  ASSERT_TRUE(ParseArgs(help, {"--help"}).ok());
  EXPECT_TRUE(help.help_requested());
  EXPECT_NE(help.Usage().find("test_timeout_ms"), std::string::npos);
}

TEST(FlagsTest, ByteSizes) {
  EXPECT_EQ(*ParseByteSize("4096"), 4096u);
  EXPECT_EQ(*ParseByteSize("1k"), 1024u);
  EXPECT_EQ(*ParseByteSize("128MiB"), 128ull << 20);
  EXPECT_EQ(*ParseByteSize("1.5GiB"), 3ull << 29);
  EXPECT_FALSE(ParseByteSize("MiB").ok());
  EXPECT_EQ(FormatByteSize(128ull << 20), "128MiB");
  EXPECT_EQ(FormatByteSize(17), "17B");
}

}  // namespace
}  // namespace cairn
