// The CLI's renderings (client/cli/format.h, progress.h): permission strings, chmod modes,
// ls lines and the shape of --json output.
#include "client/cli/format.h"

#include <gtest/gtest.h>

#include "client/cli/progress.h"

namespace cairn::cli {
namespace {

TEST(ModeStringTest, FilesDirectoriesAndStickyBit) {
  EXPECT_EQ(ModeString(0755, true), "drwxr-xr-x");
  EXPECT_EQ(ModeString(0644, false), "-rw-r--r--");
  EXPECT_EQ(ModeString(0, false), "----------");
  EXPECT_EQ(ModeString(01777, true), "drwxrwxrwt");
  EXPECT_EQ(ModeString(01770, true), "drwxrwx--T");
  EXPECT_EQ(ModeString(0777, false, true), "lrwxrwxrwx");
}

TEST(ChmodModeTest, Octal) {
  EXPECT_EQ(*ApplyChmodMode("755", 0, false), 0755u);
  EXPECT_EQ(*ApplyChmodMode("0640", 0777, false), 0640u);
  EXPECT_EQ(*ApplyChmodMode("1777", 0, true), 01777u);
  EXPECT_TRUE(IsAbsoluteMode("600"));
  EXPECT_FALSE(IsAbsoluteMode("u+x"));
}

TEST(ChmodModeTest, Symbolic) {
  EXPECT_EQ(*ApplyChmodMode("u+x", 0644, false), 0744u);
  EXPECT_EQ(*ApplyChmodMode("go-w", 0666, false), 0644u);
  EXPECT_EQ(*ApplyChmodMode("a=r", 0755, false), 0444u);
  EXPECT_EQ(*ApplyChmodMode("+x", 0644, false), 0755u);
  EXPECT_EQ(*ApplyChmodMode("u=rwx,g=rx,o=", 0, false), 0750u);
  EXPECT_EQ(*ApplyChmodMode("o+t", 0777, true), 01777u);
  EXPECT_EQ(*ApplyChmodMode("u+w-x", 0500, false), 0600u);
}

TEST(ChmodModeTest, CapitalXOnlyForDirectoriesOrExecutables) {
  EXPECT_EQ(*ApplyChmodMode("a+X", 0644, false), 0644u);
  EXPECT_EQ(*ApplyChmodMode("a+X", 0644, true), 0755u);
  EXPECT_EQ(*ApplyChmodMode("a+X", 0744, false), 0755u);
}

TEST(ChmodModeTest, RejectsGarbage) {
  for (const char* bad : {"", "8", "77777", "u+q", "z+x", "u", "u+x,", "rwx"}) {
    auto r = ApplyChmodMode(bad, 0644, false);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    }
  }
}

client::FileStatus File(const std::string& path, uint64_t len) {
  client::FileStatus st;
  st.path = path;
  st.name = path.substr(path.rfind('/') + 1);
  st.length = len;
  st.permission = 0644;
  st.owner = "alice";
  st.group = "supergroup";
  st.replication = 3;
  st.block_size = 1 << 20;
  st.modification_time = 1700000000000;
  st.file_id = 17;
  return st;
}

TEST(LsLinesTest, AlignedColumnsLikeHdfs) {
  client::FileStatus dir = File("/data", 0);
  dir.is_dir = true;
  dir.permission = 0755;
  dir.replication = 0;
  dir.owner = "bob";
  auto lines = LsLines({dir, File("/data.bin", 1234567)});
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].rfind("drwxr-xr-x ", 0), 0u) << lines[0];
  EXPECT_EQ(lines[1].rfind("-rw-r--r-- ", 0), 0u) << lines[1];
  EXPECT_NE(lines[0].find(" - bob "), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find(" 3 alice supergroup "), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find(" 1234567 "), std::string::npos);
  EXPECT_NE(lines[1].find(FormatDate(1700000000000)), std::string::npos);
  EXPECT_EQ(lines[0].size() - lines[0].find(" /data"), 6u);
  // Columns line up: the dates start at the same position.
  EXPECT_EQ(lines[0].find(FormatDate(1700000000000)), lines[1].find(FormatDate(1700000000000)));
}

TEST(JsonTest, FileStatusFields) {
  auto j = ToJson(File("/a/b.txt", 42));
  EXPECT_EQ(j["path"], "/a/b.txt");
  EXPECT_EQ(j["name"], "b.txt");
  EXPECT_EQ(j["type"], "file");
  EXPECT_EQ(j["length"], 42);
  EXPECT_EQ(j["permission"], "0644");
  EXPECT_EQ(j["mode"], "-rw-r--r--");
  EXPECT_EQ(j["owner"], "alice");
  EXPECT_EQ(j["group"], "supergroup");
  EXPECT_EQ(j["replication"], 3);
  EXPECT_EQ(j["block_size"], 1 << 20);
  EXPECT_EQ(j["modification_time"], 1700000000000);
  EXPECT_EQ(j["file_id"], 17);
  EXPECT_FALSE(j.contains("children_num"));
}

TEST(JsonTest, DatanodeReportFields) {
  client::DatanodeReport dn;
  dn.uuid = "u1";
  dn.address = "127.0.0.1:9866";
  dn.rack = "/rack0";
  dn.live = false;
  dn.capacity = 100;
  dn.blocks = 5;
  auto j = ToJson(dn);
  EXPECT_EQ(j["state"], "dead");
  EXPECT_EQ(j["live"], false);
  EXPECT_EQ(j["address"], "127.0.0.1:9866");
  EXPECT_EQ(j["rack"], "/rack0");
  EXPECT_EQ(j["capacity"], 100);
  EXPECT_EQ(j["blocks"], 5);
  for (const char* key : {"uuid", "hostname", "admin_state", "used", "remaining", "last_heartbeat_ms_ago", "xceivers"})
    EXPECT_TRUE(j.contains(key)) << key;
}

TEST(JsonTest, FsckDocumentAndStatus) {
  FsckResponse r;
  r.set_total_files(1);
  r.set_total_blocks(1);
  auto* f = r.add_files();
  f->set_path("/f");
  f->set_length(10);
  f->set_healthy(true);
  auto* b = f->add_blocks();
  b->set_block_id(1073741825);
  b->set_gen_stamp(1001);
  b->set_num_bytes(10);
  b->set_health(FsckBlock::HEALTHY);
  for (int i = 0; i < 3; ++i) {
    auto* rep = b->add_replicas();
    rep->set_datanode("127.0.0.1:" + std::to_string(9000 + i));
    rep->set_rack("/rack0");
  }
  auto j = ToJson(r, "/");
  EXPECT_EQ(j["status"], "HEALTHY");
  EXPECT_EQ(j["healthy"], true);
  EXPECT_EQ(j["total_files"], 1);
  ASSERT_EQ(j["files"].size(), 1u);
  const auto& block = j["files"][0]["blocks"][0];
  EXPECT_EQ(block["name"], "blk_1073741825_1001");
  EXPECT_EQ(block["live_replicas"], 3);
  EXPECT_EQ(block["health"], "HEALTHY");
  EXPECT_EQ(block["replicas"][2]["datanode"], "127.0.0.1:9002");
  EXPECT_EQ(j["files"][0]["status"], "HEALTHY");
  f->set_health(FsckBlock::UNDER_REPLICATED);
  EXPECT_EQ(ToJson(r, "/")["files"][0]["status"], "UNDER_REPLICATED");
  r.set_missing_blocks(1);
  EXPECT_EQ(FsckStatus(r), "CORRUPT");
  EXPECT_EQ(ToJson(r, "/")["status"], "CORRUPT");
}

TEST(ProgressBarTest, RendersPercentAndRate) {
  std::string line = ProgressBar::Render("data.bin", 512 << 20, 1024u << 20, 2.0);
  EXPECT_NE(line.find("data.bin"), std::string::npos);
  EXPECT_NE(line.find(" 50%"), std::string::npos) << line;
  EXPECT_NE(line.find("512MiB/1GiB"), std::string::npos) << line;
  EXPECT_NE(line.find("256MiB/s"), std::string::npos) << line;
  std::string unknown = ProgressBar::Render("stdin", 1024, 0, 1.0);
  EXPECT_EQ(unknown.find('%'), std::string::npos);
}

}  // namespace
}  // namespace cairn::cli
