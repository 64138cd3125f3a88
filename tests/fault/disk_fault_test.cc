// Failing disks, through the datanode's disk fault seam (datanode/store/disk_faults.h: each
// datanode runs with --fault_disk_plan_file, and the test writes the plan while it runs).
// A read error on one replica is served from another; where no replica is left the client
// hears why. A write error, a torn write or a failed fdatasync on one node of a pipeline
// drops that node and the write goes on; on the only node it fails the write, and a
// failed fdatasync is never acknowledged. A full disk says so. Meanwhile other clients are
// served within a second, and once the disk heals everything acknowledged reads back
// byte for byte: nothing stored changed.
#include <chrono>

#include <gtest/gtest.h>

#include "tests/support/cluster_util.h"
#include "tests/support/fault_plan.h"
#include "tests/support/test_util.h"

namespace cairn::fault {
namespace {

using namespace cairn::testing;  // NOLINT: test helpers

constexpr uint64_t kBlock = 256 * 1024;

// A cluster whose datanode i reads its disk faults from plan(i).
struct FaultyCluster {
  std::string dir;
  std::unique_ptr<MiniCluster> cluster;
  std::unique_ptr<client::FileSystem> fs;

  std::string plan(int i) const { return dir + "/dn" + std::to_string(i) + ".faults"; }

  void SetFaults(int i, const std::string& text) const { ASSERT_OK(SetFaultPlan(plan(i), text)); }
  void Heal(int i) const { ClearFaultPlan(plan(i)); }
};

FaultyCluster StartFaulty(int datanodes, int replication) {
  FaultyCluster f;
  f.dir = MakeTempDir("diskfault");
  MiniClusterOptions o;
  o.datanodes = datanodes;
  o.replication = replication;
  o.block_size = kBlock;
  o.heartbeat_interval_ms = 100;
  o.datanode_flags = {"--datanode_io_engine=sync"};
  // A re-replication ordered while the faulty disk is still faulty fails on it; the
  // namenode orders it again once this passes (HDFS's pending-replication timeout).
  o.namenode_flags = {"--namenode_replication_timeout_ms=2000"};
  for (int i = 0; i < datanodes; ++i) o.datanode_flags_by_index.push_back({"--fault_disk_plan_file=" + f.plan(i)});
  auto cluster = MiniCluster::Start(o);
  EXPECT_TRUE(cluster.ok()) << cluster.status().ToString();
  if (!cluster.ok()) return f;
  f.cluster = std::move(cluster).value();
  auto fs = f.cluster->Connect();
  EXPECT_TRUE(fs.ok()) << fs.status().ToString();
  if (fs.ok()) f.fs = std::move(fs).value();
  return f;
}

// How long the namenode takes to answer another client's stat and mkdir right now.
int64_t OtherClientMillis(client::FileSystem& fs, const std::string& dir) {
  auto start = std::chrono::steady_clock::now();
  EXPECT_OK(fs.Mkdirs(dir));
  EXPECT_TRUE(fs.Stat(dir).ok());
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
}

// block_size 0: the cluster's.
Status WriteWith(client::FileSystem& fs, const std::string& path, const std::string& data, uint32_t replication,
                 uint64_t block_size = 0) {
  client::CreateOptions co;
  co.replication = replication;
  co.block_size = block_size;
  ASSIGN_OR_RETURN(auto out, fs.Create(path, co));
  RETURN_IF_ERROR(out->Write(data.data(), data.size()));
  return out->Close();
}

int HolderOf(const FaultyCluster& f, const std::string& path) {
  auto hosts = ReplicaHosts(*f.fs, path);
  if (hosts.empty() || hosts[0].size() != 1) return -1;
  for (int i = 0; i < f.cluster->num_datanodes(); ++i) {
    if (f.cluster->datanode_address(i) == hosts[0][0]) return i;
  }
  return -1;
}

TEST(DiskFaultTest, AReadErrorIsServedFromAnotherReplicaAndTheLastReplicaSaysWhy) {
  FaultyCluster f = StartFaulty(2, 2);
  ASSERT_TRUE(f.fs);
  const std::string twice = RandomBytes(3 * kBlock + 77, 1);
  const std::string once = RandomBytes(kBlock + 5, 2);
  ASSERT_OK(WriteWith(*f.fs, "/r/twice", twice, 2));
  ASSERT_OK(WriteWith(*f.fs, "/r/once", once, 1));
  const int holder = HolderOf(f, "/r/once");
  ASSERT_GE(holder, 0);

  // The holder of the single replica cannot read its disk: both files' reads touch it.
  f.SetFaults(holder, "read eio\n");
  for (int round = 0; round < 4; ++round) {
    ASSERT_OK_AND_ASSIGN(std::string back, ReadRemoteFile(*f.fs, "/r/twice"));
    ASSERT_EQ(back, twice) << round;
  }
  auto lost = ReadRemoteFile(*f.fs, "/r/once");
  ASSERT_FALSE(lost.ok());
  EXPECT_NE(lost.status().message().find("Input/output error"), std::string::npos) << lost.status().ToString();
  EXPECT_LT(OtherClientMillis(*f.fs, "/other/read"), 1000);

  // The disk heals: the replica was never declared corrupt or dropped.
  f.Heal(holder);
  ASSERT_OK_AND_ASSIGN(std::string back, ReadRemoteFile(*f.fs, "/r/once"));
  EXPECT_EQ(back, once);
  ASSERT_OK_AND_ASSIGN(back, ReadRemoteFile(*f.fs, "/r/twice"));
  EXPECT_EQ(back, twice);
  ASSERT_OK_AND_ASSIGN(auto report, f.fs->Fsck("/r", /*include_blocks=*/true));
  EXPECT_TRUE(report.healthy());
  RemoveTree(f.dir);
}

// A disk that fails past the first packets of a block: the only replica's datanode has
// already answered the read and fails it mid-stream. The client resumes where the data
// stopped; the datanode reads first and answers that read with the disk's error, so the
// reader ends with it (not a loop of reconnects) and the file reads back whole once the
// disk heals.
TEST(DiskFaultTest, AReadThatFailsMidStreamEndsWithTheDisksErrorAndHeals) {
  FaultyCluster f = StartFaulty(1, 1);
  ASSERT_TRUE(f.fs);
  const std::string data = RandomBytes(3 << 20, 5);
  ASSERT_OK(WriteWith(*f.fs, "/mid", data, 1, /*block_size=*/4 << 20));  // one block of several 512 KiB read runs
  f.SetFaults(0, "read eio from_offset 1048576\n");
  const auto start = std::chrono::steady_clock::now();
  auto lost = ReadRemoteFile(*f.fs, "/mid");
  ASSERT_FALSE(lost.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30)) << lost.status().ToString();
  EXPECT_NE(lost.status().message().find("Input/output error"), std::string::npos) << lost.status().ToString();
  EXPECT_LT(OtherClientMillis(*f.fs, "/other/mid"), 1000);
  f.Heal(0);
  ASSERT_OK_AND_ASSIGN(std::string back, ReadRemoteFile(*f.fs, "/mid"));
  EXPECT_EQ(back, data);
  RemoveTree(f.dir);
}

// Writes with replication 2 on 3 nodes while node 0's disk has `faults`: every write
// completes and reads back; once healed, the files are whole on 2 nodes again.
void WritesGoOnAround(const std::string& faults) {
  FaultyCluster f = StartFaulty(3, 2);
  ASSERT_TRUE(f.fs);
  f.SetFaults(0, faults);
  std::vector<std::pair<std::string, std::string>> files;
  for (int i = 0; i < 6; ++i) {
    files.emplace_back("/w/f" + std::to_string(i), RandomBytes(2 * kBlock + 1000 * i, 10 + i));
    Status written = WriteWith(*f.fs, files.back().first, files.back().second, 2);
    ASSERT_TRUE(written.ok()) << faults << " " << files.back().first << ": " << written.ToString();
  }
  EXPECT_LT(OtherClientMillis(*f.fs, "/other/write"), 1000);
  for (const auto& [path, data] : files) {
    ASSERT_OK_AND_ASSIGN(std::string back, ReadRemoteFile(*f.fs, path));
    ASSERT_EQ(back, data) << faults << " " << path;
  }
  f.Heal(0);
  ASSERT_EVENTUALLY(FullyReplicated(*f.fs, 2), 30000);
  for (const auto& [path, data] : files) {
    ASSERT_OK_AND_ASSIGN(std::string back, ReadRemoteFile(*f.fs, path));
    ASSERT_EQ(back, data) << faults << " " << path;
  }
  RemoveTree(f.dir);
}

TEST(DiskFaultTest, AWriteErrorDropsTheNodeFromThePipeline) { WritesGoOnAround("write eio\n"); }
TEST(DiskFaultTest, ATornWriteDropsTheNodeFromThePipeline) { WritesGoOnAround("write torn\n"); }
TEST(DiskFaultTest, AFailedFdatasyncDropsTheNodeFromThePipeline) { WritesGoOnAround("fdatasync eio\n"); }

TEST(DiskFaultTest, OnTheOnlyNodeAFailedWriteOrSyncIsNeverAcknowledged) {
  FaultyCluster f = StartFaulty(1, 1);
  ASSERT_TRUE(f.fs);
  const std::string acked = RandomBytes(kBlock + 3, 20);
  ASSERT_OK(WriteWith(*f.fs, "/acked", acked, 1));

  for (const std::string faults : {"write eio\n", "write torn\n"}) {
    f.SetFaults(0, faults);
    Status st = WriteWith(*f.fs, "/refused" + std::to_string(faults.size()), RandomBytes(kBlock, 21), 1);
    ASSERT_FALSE(st.ok()) << faults;
    EXPECT_NE(st.message().find("Input/output error"), std::string::npos) << faults << ": " << st.ToString();
    f.Heal(0);
  }

  // An hsync the disk could not make durable fails, and so does a close (sync on close).
  f.SetFaults(0, "fdatasync eio\n");
  {
    ASSERT_OK_AND_ASSIGN(auto out, f.fs->Create("/unsynced"));
    const std::string data = RandomBytes(5000, 22);
    ASSERT_OK(out->Write(data.data(), data.size()));
    Status synced = out->Hsync();
    EXPECT_FALSE(synced.ok());
    EXPECT_NE(synced.message().find("Input/output error"), std::string::npos) << synced.ToString();
  }
  Status closed = WriteWith(*f.fs, "/unclosed", RandomBytes(5000, 23), 1);
  ASSERT_FALSE(closed.ok());
  EXPECT_NE(closed.message().find("Input/output error"), std::string::npos) << closed.ToString();
  EXPECT_LT(OtherClientMillis(*f.fs, "/other/sync"), 1000);
  f.Heal(0);

  ASSERT_OK_AND_ASSIGN(std::string back, ReadRemoteFile(*f.fs, "/acked"));
  EXPECT_EQ(back, acked);
  // The healed disk takes writes again.
  const std::string after = RandomBytes(kBlock + 9, 24);
  ASSERT_OK(WriteWith(*f.fs, "/after", after, 1));
  ASSERT_OK_AND_ASSIGN(back, ReadRemoteFile(*f.fs, "/after"));
  EXPECT_EQ(back, after);
  RemoveTree(f.dir);
}

TEST(DiskFaultTest, AFullDiskSaysSoAndKeepsWhatItHolds) {
  FaultyCluster f = StartFaulty(1, 1);
  ASSERT_TRUE(f.fs);
  const std::string acked = RandomBytes(2 * kBlock + 3, 30);
  ASSERT_OK(WriteWith(*f.fs, "/acked", acked, 1));
  f.SetFaults(0, "write enospc\n");
  Status st = WriteWith(*f.fs, "/full", RandomBytes(kBlock, 31), 1);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("No space left on device"), std::string::npos) << st.ToString();
  EXPECT_LT(OtherClientMillis(*f.fs, "/other/full"), 1000);
  // Reads go on while the disk is full.
  ASSERT_OK_AND_ASSIGN(std::string back, ReadRemoteFile(*f.fs, "/acked"));
  EXPECT_EQ(back, acked);
  f.Heal(0);
  ASSERT_OK(WriteWith(*f.fs, "/after", "room again", 1));
  ASSERT_OK_AND_ASSIGN(back, ReadRemoteFile(*f.fs, "/after"));
  EXPECT_EQ(back, "room again");
  // A full disk is not a failed one: the volume stays in service.
  ASSERT_OK_AND_ASSIGN(auto report, f.fs->GetDatanodeReport());
  ASSERT_EQ(report.size(), 1u);
  EXPECT_EQ(report[0].failed_volumes, 0u);
  RemoveTree(f.dir);
}

TEST(DiskFaultTest, ASlowDiskDelaysOnlyItsOwnReaders) {
  FaultyCluster f = StartFaulty(2, 1);
  ASSERT_TRUE(f.fs);
  // One single-replica file on each node.
  std::string on[2];
  std::string data[2];
  for (int k = 0; on[0].empty() || on[1].empty(); ++k) {
    ASSERT_LT(k, 40) << "the namenode kept placing on one node";
    const std::string path = "/s/f" + std::to_string(k);
    const std::string bytes = RandomBytes(kBlock / 2, 40 + k);
    ASSERT_OK(WriteWith(*f.fs, path, bytes, 1));
    int holder = HolderOf(f, path);
    ASSERT_GE(holder, 0);
    if (on[holder].empty()) {
      on[holder] = path;
      data[holder] = bytes;
    }
  }
  f.SetFaults(0, "delay_ms 400\n");
  auto timed_read = [&](int i) {
    auto start = std::chrono::steady_clock::now();
    auto back = ReadRemoteFile(*f.fs, on[i]);
    EXPECT_TRUE(back.ok()) << back.status().ToString();
    if (back.ok()) {
      EXPECT_EQ(*back, data[i]);
    }
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  };
  EXPECT_GE(timed_read(0), 400);  // the slow disk is really slow
  EXPECT_LT(timed_read(1), 1000);  // the other node's reader does not wait for it
  EXPECT_LT(OtherClientMillis(*f.fs, "/other/slow"), 1000);
  f.Heal(0);
  RemoveTree(f.dir);
}

}  // namespace
}  // namespace cairn::fault
