// fsync(2) and close(2) through a cairn-fuse mount, against a power cut: with the namenode
// and every datanode under the power-cut layer (tests/support/power_cut), a file copied in
// and closed, and a file still open whose first bytes were fsynced, are cut off at once;
// after the restart another client reads the closed file whole and at least the fsynced
// bytes of the open one (and nothing that was never written).
#include <thread>

#include "common/whole_file.h"
#include "tests/fuse/mount_fixture.h"
#include "tests/support/power_cut/power_cut.h"
#include "tests/support/remote_file.h"

namespace cairn::fuse {
namespace {

using namespace cairn::testing;  // NOLINT: test helpers

class MountPowerCutTest : public MountTest {
 protected:
  MountPowerCutTest() {
    cluster_options_.datanodes = 3;
    cluster_options_.block_size = 64 * 1024;
    cluster_options_.datanode_flags = {"--datanode_io_engine=sync"};  // io_uring would bypass the layer
  }
  void TearDown() override {
    MountTest::TearDown();
    LeavePowerCutLayer();
  }
  std::string Local(const std::string& name) {
    auto data = ReadWholeFile(local_ + "/" + name);
    EXPECT_OK(data.status());
    return data.ok() ? *data : "";
  }
};

TEST_F(MountPowerCutTest, WhatFsyncAndCloseAnsweredForSurvivesAPowerCut) {
  // 64 KiB blocks: the open file's fsynced 100,000 bytes end inside its second block, and
  // the 20,000 written after them do not finish it, so only the fsync makes that block
  // durable (a finished block is synced as it is finalized).
  const std::string state = MakeTempDir("fuse-power-cut");
  ASSERT_OK(StartUnderPowerCutLayer(*cluster_, state));
  ShOk(R"(
head -c 150000 /dev/urandom > $L/closed
cp $L/closed $M/closed
head -c 100000 /dev/urandom > $L/synced
head -c 20000 /dev/urandom > $L/unsynced
/usr/bin/python3 - > $L/writer.log 2>&1 <<'PY' &
import os, time
L, M = os.environ["L"], os.environ["M"]
fd = os.open(M + "/open", os.O_WRONLY | os.O_CREAT, 0o644)
os.write(fd, open(L + "/synced", "rb").read())
os.fsync(fd)
os.write(fd, open(L + "/unsynced", "rb").read())
open(L + "/fsynced", "w").close()
time.sleep(600)
PY
echo $! > $L/writer.pid
for i in $(seq 1 300); do [ -f $L/fsynced ] && break; sleep 0.1; done
[ -f $L/fsynced ]
)");
  ASSERT_OK_AND_ASSIGN(PowerCutReport report, CutPower(*cluster_, state));
  std::fprintf(stderr, "power cut: %s\n", report.ToString().c_str());
  EXPECT_EQ(report.names_lost, 0);
  ShOk("kill -9 $(cat $L/writer.pid) || true");

  ASSERT_OK_AND_ASSIGN(auto fs, cluster_->Connect());
  const std::string closed = Local("closed"), synced = Local("synced"), written = synced + Local("unsynced");
  ASSERT_EQ(closed.size(), 150000u);
  ASSERT_EVENTUALLY(ReadRemoteFile(*fs, "/closed").ok(), 60000);
  ASSERT_OK_AND_ASSIGN(std::string back, ReadRemoteFile(*fs, "/closed"));
  EXPECT_TRUE(back == closed) << "the closed file came back with " << back.size() << " bytes";

  // The open file's writer is gone: recover its lease so its last block's length settles.
  bool is_closed = false;
  for (int i = 0; i < 600 && !is_closed; ++i) {
    (void)fs->RecoverLease("/open");
    auto c = fs->IsFileClosed("/open");
    is_closed = c.ok() && *c;
    if (!is_closed) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(is_closed) << "lease recovery did not close /open";
  ASSERT_OK_AND_ASSIGN(std::string open_back, ReadRemoteFile(*fs, "/open"));
  std::fprintf(stderr, "the open file came back with %zu bytes (%zu fsynced, %zu written)\n", open_back.size(),
               synced.size(), written.size());
  EXPECT_GE(open_back.size(), synced.size()) << "fsynced bytes were lost";
  EXPECT_LE(open_back.size(), written.size());
  EXPECT_TRUE(written.compare(0, open_back.size(), open_back) == 0) << "bytes that were never written";
}

}  // namespace
}  // namespace cairn::fuse
