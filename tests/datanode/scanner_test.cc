// BlockScanner and corrupt replicas in the block store: a flipped byte (in data or meta) is
// found by a verification, the replica is marked corrupt once, reported to the listener,
// never served again (reads and transfers refuse it) and flagged in block reports; an
// intact replica and one being written are left alone; the background threads find
// damage on their own and pick suspects first; a transfer never copies a damaged replica;
// the periodic volume probe takes a dead data directory out of service.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "datanode/nn/report_queue.h"
#include "datanode/store/block_layout.h"
#include "datanode/store/block_scanner.h"
#include "datanode/transfer/transfer.h"
#include "tests/datanode/dtp_client.h"

namespace cairn::datanode {
namespace {

namespace fs = std::filesystem;
using cairn::testing::RandomBytes;
using namespace testing;  // NOLINT: the test helpers

// Flips one byte at `offset` of blk_<id> (data) or of its meta file in any data dir under root.
bool FlipByte(const std::string& root, uint64_t id, uint64_t offset, bool meta = false) {
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(root, ec)) {
    const std::string name = e.path().filename().string();
    const bool match = meta ? name.rfind(BlockFileName(id) + "_", 0) == 0 && name.size() > 5 &&
                                  name.substr(name.size() - 5) == ".meta"
                            : name == BlockFileName(id);
    if (!match) continue;
    std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(offset));
    char c = 0;
    f.get(c);
    f.seekp(static_cast<std::streamoff>(offset));
    f.put(static_cast<char>(c ^ 0x41));
    return static_cast<bool>(f);
  }
  return false;
}

class ScannerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto node = StartNode(1);
    ASSERT_TRUE(node.ok()) << node.status().ToString();
    node_ = std::move(node).value();
  }
  // A finalized replica with stamp 1000.
  std::string Finalized(uint64_t id, size_t n) {
    std::string data = RandomBytes(n, id);
    auto w = node_->store->CreateRbw(id, 1000, ChecksumSpec{});
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    EXPECT_TRUE(WriteAll(**w, data).ok());
    EXPECT_TRUE((*w)->Finalize().ok());
    return data;
  }
  std::unique_ptr<TestNode> node_;
};

TEST_F(ScannerTest, AFlippedByteIsFoundMarkedReportedAndNeverServed) {
  Finalized(1, 300000);
  Finalized(2, 5000);
  BlockScanner scanner(node_->store.get(), BlockScannerOptions{});
  EXPECT_OK(scanner.VerifyReplica(1));
  ASSERT_TRUE(FlipByte(node_->dir, 1, 123456));
  Status st = scanner.VerifyReplica(1);
  EXPECT_EQ(st.code(), ErrorCode::kChecksumMismatch) << st.ToString();
  EXPECT_EQ(scanner.corrupt_found(), 1);
  EXPECT_EQ(node_->listener.Count('C', 1), 1);
  // Damaged meta files count too.
  ASSERT_TRUE(FlipByte(node_->dir, 2, kMetaHeaderSize + 1, /*meta=*/true));
  EXPECT_FALSE(scanner.VerifyReplica(2).ok());
  EXPECT_EQ(node_->listener.Count('C', 2), 1);

  // Never served: reads, transfers; flagged in reports; verified again: still the one report.
  EXPECT_EQ(node_->store->OpenForRead(1, 1000).status().code(), ErrorCode::kCorruption);
  auto read = ReadBlock(node_->port(), 1, 1000, 0, 100);
  ASSERT_TRUE(read.ok());
  EXPECT_NE(read->response.status(), hh::SUCCESS);
  bool flagged = false;
  for (const auto& r : node_->store->ListReplicas()) flagged |= r.block_id == 1 && r.corrupt;
  EXPECT_TRUE(flagged);
  EXPECT_TRUE(ToBlockReplica(*node_->store->GetReplica(1)).corrupt());
  EXPECT_FALSE(scanner.VerifyReplica(1).ok());
  EXPECT_EQ(node_->listener.Count('C', 1), 1);
  // The namenode's delete still works.
  EXPECT_OK(node_->store->Delete(1, 1000));
}

TEST_F(ScannerTest, ReplicasBeingWrittenAndIntactOnesAreLeftAlone) {
  std::string data = Finalized(3, 70000);
  auto w = node_->store->CreateRbw(4, 1000, ChecksumSpec{});
  ASSERT_TRUE(w.ok());
  ASSERT_OK(WriteAll(**w, RandomBytes(1000, 4)));
  BlockScanner scanner(node_->store.get(), BlockScannerOptions{});
  EXPECT_OK(scanner.VerifyReplica(3));
  EXPECT_OK(scanner.VerifyReplica(4));
  EXPECT_OK(scanner.VerifyReplica(999));  // gone
  EXPECT_EQ(scanner.corrupt_found(), 0);
  EXPECT_EQ(node_->listener.Count('C', 0), 0);
}

TEST_F(ScannerTest, BackgroundPassesFindDamageAndSuspectsGoFirst) {
  for (uint64_t id = 10; id < 20; ++id) Finalized(id, 20000);
  ASSERT_TRUE(FlipByte(node_->dir, 13, 100));
  BlockScannerOptions o;
  o.bytes_per_sec = 100 << 20;
  o.scan_period_ms = 3600 * 1000;
  o.volume_check_interval_ms = 0;
  BlockScanner scanner(node_->store.get(), o);
  scanner.Start();
  ASSERT_EVENTUALLY_OK([&] { return scanner.passes_completed() >= 1; });
  EXPECT_EQ(scanner.corrupt_found(), 1);
  EXPECT_EQ(node_->listener.Count('C', 13), 1);
  EXPECT_GE(scanner.replicas_verified(), 10);
  // The next pass is an hour away; a suspect is verified at once.
  ASSERT_TRUE(FlipByte(node_->dir, 17, 5000));
  scanner.MarkSuspect(17);
  ASSERT_EVENTUALLY_OK([&] { return node_->listener.Count('C', 17) == 1; });
  scanner.Stop();
}

TEST_F(ScannerTest, ATransferNeverCopiesADamagedReplica) {
  Finalized(30, 200000);
  ASSERT_TRUE(FlipByte(node_->dir, 30, 150000));
  auto target = StartNode(1);
  ASSERT_TRUE(target.ok());
  TransferRequest req;
  req.block.set_poolid("BP-test");
  req.block.set_blockid(30);
  req.block.set_generationstamp(1000);
  req.targets.push_back(NodeInfo((*target)->port()));
  req.require_finalized = true;
  Status st = TransferReplica(*node_->store, req, 5000);
  EXPECT_EQ(st.code(), ErrorCode::kChecksumMismatch) << st.ToString();
  EXPECT_EQ(node_->listener.Count('C', 30), 1);
  ASSERT_EVENTUALLY_OK([&] { return !(*target)->store->GetReplica(30).ok(); });
  EXPECT_EQ((*target)->listener.Count('R', 30), 0);
}

TEST_F(ScannerTest, TheVolumeProbeTakesADeadDirectoryOutOfService) {
  auto node = StartNode(2);
  ASSERT_TRUE(node.ok());
  auto& store = *(*node)->store;
  BlockScannerOptions o;
  o.bytes_per_sec = 0;
  o.volume_check_interval_ms = 50;
  BlockScanner scanner(&store, o);
  scanner.Start();
  // The disk under vol1 "dies": its current/ directory is no longer a directory.
  const std::string current = CurrentDir((*node)->dir + "/vol1");
  fs::rename(current, current + ".gone");
  ASSERT_TRUE(cairn::testing::WriteLocalFile(current, "not a directory").ok());
  ASSERT_EVENTUALLY_OK([&] {
    for (const auto& v : store.Volumes())
      if (v.index == 1) return v.failed;
    return false;
  });
  EXPECT_EQ((*node)->listener.Count('V', 0), 1);
  // Writes go to the volume left.
  auto w = store.CreateRbw(40, 1000, ChecksumSpec{});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ((*w)->replica().volume, 0);
  scanner.Stop();
}

}  // namespace
}  // namespace cairn::datanode
