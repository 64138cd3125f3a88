// cairn-fuse's command line: mount options become flags or libfuse options, flags parse
// with units, mistakes are usage errors, and the namenode may come from the environment.
#include "client/fuse/options.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace cairn::fuse {
namespace {

Result<CommandLine> Parse(std::vector<std::string> args) { return ParseCommandLine(args); }

TEST(FuseOptionsTest, MountPointNamenodeAndDefaults) {
  auto cl = Parse({"/mnt/cairn", "--namenode", "nn:8021"});
  ASSERT_TRUE(cl.ok()) << cl.status().ToString();
  EXPECT_EQ(cl->settings.mountpoint, "/mnt/cairn");
  EXPECT_EQ(cl->settings.namenode, "nn:8021");
  EXPECT_FALSE(cl->settings.foreground);
  EXPECT_EQ(cl->settings.attr_timeout_ms, 1000);
  EXPECT_EQ(cl->settings.max_write.bytes, 1u << 20);
  EXPECT_TRUE(cl->settings.fuse_options.empty());
}

TEST(FuseOptionsTest, MountOptionsSplitIntoCairnSettingsAndLibfuseOptions) {
  auto cl = Parse({"-o", "allow_other,namenode=h:1,attr_timeout=2.5,readahead=16MiB", "/m", "-odefault_permissions",
                   "-o", "entry_timeout_ms=250,cairn_user=alice,max_write=256k,ro", "-f", "-s"});
  ASSERT_TRUE(cl.ok()) << cl.status().ToString();
  const FuseSettings& s = cl->settings;
  EXPECT_EQ(s.namenode, "h:1");
  EXPECT_EQ(s.attr_timeout_ms, 2500);
  EXPECT_EQ(s.entry_timeout_ms, 250);
  EXPECT_EQ(s.readahead.bytes, 16u << 20);
  EXPECT_EQ(s.max_write.bytes, 256u << 10);
  EXPECT_EQ(s.user, "alice");
  EXPECT_TRUE(s.foreground);
  EXPECT_TRUE(s.single_thread);
  EXPECT_EQ(s.fuse_options, (std::vector<std::string>{"allow_other", "default_permissions", "ro"}));
}

TEST(FuseOptionsTest, FlagsWithUnitsAndDebugImpliesForeground) {
  auto cl = Parse({"/m", "--namenode=h:2", "--fuse_attr_timeout_ms=0", "--fuse_readahead_bytes=0", "-d",
                   "--fuse_max_threads", "4"});
  ASSERT_TRUE(cl.ok()) << cl.status().ToString();
  EXPECT_EQ(cl->settings.attr_timeout_ms, 0);
  EXPECT_EQ(cl->settings.readahead.bytes, 0u);
  EXPECT_EQ(cl->settings.max_threads, 4);
  EXPECT_TRUE(cl->settings.debug);
  EXPECT_TRUE(cl->settings.foreground);
}

TEST(FuseOptionsTest, NamenodeFromTheEnvironment) {
  ::setenv("CAIRN_NAMENODE", "env-nn:9", 1);
  auto cl = Parse({"/m"});
  ::unsetenv("CAIRN_NAMENODE");
  ASSERT_TRUE(cl.ok()) << cl.status().ToString();
  EXPECT_EQ(cl->settings.namenode, "env-nn:9");
  EXPECT_EQ(Parse({"/m"}).status().code(), ErrorCode::kInvalidArgument);
}

TEST(FuseOptionsTest, UsageErrors) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--namenode", "h:1"},                                  // no mount point
           {"/a", "/b", "--namenode", "h:1"},                      // two
           {"/m", "--namenode", "h:1", "-o"},                      // -o without options
           {"/m", "--namenode", "h:1", "-o", "attr_timeout=abc"},  // not seconds
           {"/m", "--namenode", "h:1", "-o", "readahead"},         // no value
           {"/m", "--namenode", "h:1", "--fuse_max_write_bytes=4MiB"},  // over the kernel's limit
           {"/m", "--namenode", "h:1", "--fuse_max_threads=0"},
           {"/m", "--namenode", "h:1", "--no_such_flag=1"},
       }) {
    auto cl = Parse(args);
    EXPECT_EQ(cl.status().code(), ErrorCode::kInvalidArgument) << ::testing::PrintToString(args);
  }
}

TEST(FuseOptionsTest, HelpListsTheFlags) {
  auto cl = Parse({"-h"});
  ASSERT_TRUE(cl.ok());
  EXPECT_TRUE(cl->help);
  const std::string usage = Usage();
  EXPECT_NE(usage.find("cairn-fuse MOUNTPOINT"), std::string::npos);
  EXPECT_NE(usage.find("fuse_attr_timeout_ms"), std::string::npos);
  EXPECT_NE(usage.find("fusermount3 -u"), std::string::npos);
}

}  // namespace
}  // namespace cairn::fuse
