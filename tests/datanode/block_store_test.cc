// FsBlockStore: replica life cycle, restart scans after simulated crashes, recoveries,
// deletes, volume failures and capacity.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "common/endian.h"
#include "datanode/store/block_layout.h"
#include "datanode/transfer/packet_plan.h"
#include "tests/datanode/dtp_client.h"

namespace cairn::datanode {
namespace {

namespace fs = std::filesystem;
using cairn::testing::RandomBytes;
using testing::Bytes;
using testing::RecordingListener;
using testing::WriteAll;

// Reads a whole replica through the store and verifies every CRC.
Result<std::string> ReadAll(BlockStore& store, uint64_t id, uint64_t gs) {
  ASSIGN_OR_RETURN(auto r, store.OpenForRead(id, gs));
  const ReplicaInfo& info = r->replica();
  std::string data(info.visible_length(), '\0');
  std::vector<uint8_t> crcs(info.checksum.ChunkCount(data.size()) * 4);
  RETURN_IF_ERROR(r->StartRead(0, 0, {reinterpret_cast<uint8_t*>(data.data()), data.size()}, 0, crcs));
  RETURN_IF_ERROR(r->FinishRead(0));
  RETURN_IF_ERROR(VerifyChunkChecksums(info.checksum.type, info.checksum.bytes_per_checksum, Bytes(data), crcs.data(), 0));
  return data;
}

class BlockStoreTest : public ::testing::TestWithParam<IoEngineKind> {
 protected:
  void SetUp() override { dir_ = cairn::testing::MakeTempDir("store"); }
  void TearDown() override {
    store_.reset();
    cairn::testing::RemoveTree(dir_);
  }
  void Open(int volumes = 1, uint64_t capacity = 0, bool sync_on_close = true) {
    store_.reset();
    std::vector<std::string> dirs;
    for (int i = 0; i < volumes; ++i) dirs.push_back(Vol(i));
    auto o = testing::StoreOptions(dirs, GetParam());
    o.capacity_bytes = capacity;
    o.sync_on_close = sync_on_close;
    auto s = FsBlockStore::Open(o, &listener_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  std::string Vol(int i) const { return dir_ + "/vol" + std::to_string(i); }
  ReplicaInfo Finalized(uint64_t id, uint64_t gs, const std::string& data) {
    auto w = store_->CreateRbw(id, gs, {});
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    if (!w.ok()) return {};
    EXPECT_TRUE(WriteAll(**w, data).ok());
    auto info = (*w)->Finalize();
    EXPECT_TRUE(info.ok()) << info.status().ToString();
    return info.ok() ? *info : ReplicaInfo{};
  }

  std::string dir_;
  RecordingListener listener_;
  std::unique_ptr<FsBlockStore> store_;
};

// Asks the kernel to drop a file's cached pages and counts those it had to keep. Clean
// pages go at once; dirty ones (not yet written back) and ones under writeback stay, so a
// non-zero count right after a write means the bytes were not on disk yet.
int ResidentPagesAfterDropping(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  struct stat st {};
  ::fstat(fd, &st);
  (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  void* map = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) return -1;
  const long page = ::sysconf(_SC_PAGESIZE);
  std::vector<unsigned char> vec((st.st_size + page - 1) / page);
  int resident = ::mincore(map, static_cast<size_t>(st.st_size), vec.data()) == 0 ? 0 : -1;
  for (unsigned char v : vec) resident += resident >= 0 && (v & 1);
  ::munmap(map, static_cast<size_t>(st.st_size));
  return resident;
}

TEST_P(BlockStoreTest, FinalizedReplicaIsOnDiskBeforeFinalizeReturns) {
  Open();
  Finalized(31, 310, RandomBytes(4 << 20, 31));
  const std::string dir = FinalizedDir(Vol(0), 31);
  EXPECT_EQ(ResidentPagesAfterDropping(dir + "/" + BlockFileName(31)), 0);
  EXPECT_EQ(ResidentPagesAfterDropping(dir + "/" + MetaFileName(31, 310)), 0);

  // A replica a block recovery finalizes is synced too (no writer had it open).
  auto w = store_->CreateRbw(32, 320, {});
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(WriteAll(**w, RandomBytes(2 << 20, 32)).ok());
  w->reset();
  ASSERT_TRUE(store_->InitReplicaRecovery(32, 320, 321).ok());
  auto done = store_->UpdateReplicaUnderRecovery(32, 321, 2 << 20, false);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  const std::string dir32 = FinalizedDir(Vol(0), 32);
  EXPECT_EQ(ResidentPagesAfterDropping(dir32 + "/" + BlockFileName(32)), 0);
  EXPECT_EQ(ResidentPagesAfterDropping(dir32 + "/" + MetaFileName(32, 321)), 0);
}

// The control that shows the check above can fail: without sync on close the freshly
// written pages are still dirty when Finalize returns.
TEST_P(BlockStoreTest, WithoutSyncOnCloseFinalizedPagesAreStillDirty) {
  Open(1, 0, /*sync_on_close=*/false);
  Finalized(33, 330, RandomBytes(4 << 20, 33));
  EXPECT_GT(ResidentPagesAfterDropping(FinalizedDir(Vol(0), 33) + "/" + BlockFileName(33)), 0);
}

TEST_P(BlockStoreTest, CreateWriteFinalizeRead) {
  Open();
  std::string data = RandomBytes(200000, 1);
  auto w = store_->CreateRbw(77, 1001, {});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(store_->CreateRbw(77, 1001, {}).status().code(), ErrorCode::kAlreadyExists);
  ASSERT_TRUE(WriteAll(**w, data).ok());
  // While being written the replica is RBW and readable up to the acknowledged bytes.
  auto rbw = store_->GetReplica(77);
  ASSERT_TRUE(rbw.ok());
  EXPECT_EQ(rbw->state, ReplicaState::kRbw);
  EXPECT_EQ(rbw->visible_length(), data.size());
  auto info = (*w)->Finalize();
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->state, ReplicaState::kFinalized);
  EXPECT_EQ(info->bytes_on_disk, data.size());
  EXPECT_TRUE(fs::exists(FinalizedDir(Vol(0), 77) + "/blk_77"));
  EXPECT_EQ(fs::file_size(FinalizedDir(Vol(0), 77) + "/blk_77_1001.meta"), MetaFileSize({}, data.size()));
  EXPECT_FALSE(fs::exists(RbwDir(Vol(0)) + "/blk_77"));
  auto back = ReadAll(*store_, 77, 1001);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_BYTES_EQ(*back, data);
  EXPECT_EQ(listener_.Count('I', 77), 1);
  EXPECT_EQ(listener_.Count('R', 77), 1);
  EXPECT_EQ(store_->OpenForRead(78, 1).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->OpenForRead(77, 1002).status().code(), ErrorCode::kAborted);  // newer stamp asked
  EXPECT_TRUE(store_->OpenForRead(77, 900).ok());                                 // older stamp is fine
  auto vols = store_->Volumes();
  ASSERT_EQ(vols.size(), 1u);
  EXPECT_EQ(vols[0].dfs_used, data.size() + MetaFileSize({}, data.size()));
  EXPECT_GT(vols[0].capacity, 0u);
}

TEST_P(BlockStoreTest, RestartFindsReplicasAndKeepsIdentity) {
  Open();
  Finalized(1, 10, RandomBytes(5000, 2));
  auto w = store_->CreateRbw(2, 20, {ChecksumType::kCrc32, 512});
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(WriteAll(**w, RandomBytes(3000, 3)).ok());
  w->reset();  // the writer goes away (e.g. the client died); the RBW replica stays
  std::string uuid = store_->datanode_uuid();
  std::string storage = store_->Volumes()[0].storage_id;
  Open();
  EXPECT_EQ(store_->datanode_uuid(), uuid);
  EXPECT_EQ(store_->Volumes()[0].storage_id, storage);
  auto list = store_->ListReplicas();
  ASSERT_EQ(list.size(), 2u);
  auto r1 = store_->GetReplica(1), r2 = store_->GetReplica(2);
  ASSERT_TRUE(r1.ok() && r2.ok());
  EXPECT_EQ(r1->state, ReplicaState::kFinalized);
  EXPECT_EQ(r1->bytes_on_disk, 5000u);
  EXPECT_EQ(r2->state, ReplicaState::kRbw);
  EXPECT_EQ(r2->bytes_on_disk, 3000u);
  EXPECT_EQ(r2->checksum.type, ChecksumType::kCrc32);
  EXPECT_EQ(store_->Volumes()[0].dfs_used, 5000 + MetaFileSize({}, 5000) + 3000 + MetaFileSize({}, 3000));
  EXPECT_TRUE(fs::exists(Vol(0) + "/current/VERSION"));
}

TEST_P(BlockStoreTest, CrashLeftoverRbwKeepsTheBytesItsLastChunkCanVouchFor) {
  Open();
  std::string data = RandomBytes(2700, 4);
  {
    auto w = store_->CreateRbw(5, 50, {});
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(WriteAll(**w, data).ok());
    auto w2 = store_->CreateRbw(6, 60, {});
    ASSERT_TRUE(w2.ok());
    ASSERT_TRUE(WriteAll(**w2, data).ok());
  }
  store_.reset();
  // Replica 5: data written past the last checksum (the crash hit between the writes).
  std::string rbw = RbwDir(Vol(0));
  {
    int fd = ::open((rbw + "/blk_5").c_str(), O_WRONLY | O_APPEND);
    ASSERT_GE(fd, 0);
    std::string junk = RandomBytes(400, 9);
    ASSERT_EQ(::write(fd, junk.data(), junk.size()), 400);
    ::close(fd);
  }
  // Replica 6: the partial last chunk's CRC matches no prefix of its bytes: it was updated
  // for data that never reached the disk (a power cut after the meta write, before the
  // data's), so the bytes there are kept and the CRC is rewritten for them.
  {
    int fd = ::open((rbw + "/blk_6_60.meta").c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    uint8_t bad[4] = {1, 2, 3, 4};
    ASSERT_EQ(::pwrite(fd, bad, 4, MetaOffsetOfChunk(5)), 4);
    ::close(fd);
  }
  Open();
  auto r5 = store_->GetReplica(5), r6 = store_->GetReplica(6);
  ASSERT_TRUE(r5.ok() && r6.ok());
  EXPECT_EQ(r5->state, ReplicaState::kRbw);
  EXPECT_EQ(r5->bytes_on_disk, 2700u);
  EXPECT_EQ(r6->bytes_on_disk, 2700u);
  EXPECT_EQ(fs::file_size(rbw + "/blk_5"), 2700u);
  EXPECT_EQ(fs::file_size(rbw + "/blk_6"), 2700u);
  auto back = ReadAll(*store_, 6, 60);  // verified against the rewritten CRC
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_BYTES_EQ(*back, data);
}

TEST_P(BlockStoreTest, InterruptedFinalizeIsCompletedAtStart) {
  Open();
  std::string data = RandomBytes(1234, 5);
  {
    auto w = store_->CreateRbw(9, 90, {});
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(WriteAll(**w, data).ok());
  }
  store_.reset();
  // The meta file reached finalized/ but the crash came before the data file followed.
  std::string fin = FinalizedDir(Vol(0), 9);
  ASSERT_TRUE(MakeDirs(fin).ok());
  fs::rename(RbwDir(Vol(0)) + "/blk_9_90.meta", fin + "/blk_9_90.meta");
  // A stray meta file without data and a stale meta file are cleaned up.
  cairn::testing::WriteLocalFile(RbwDir(Vol(0)) + "/blk_11_3.meta", std::string(7, '\0')).ok();
  fs::copy_file(fin + "/blk_9_90.meta", fin + "/blk_9_80.meta");
  Open();
  auto r = store_->GetReplica(9);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->state, ReplicaState::kFinalized);
  EXPECT_EQ(r->gen_stamp, 90u);
  EXPECT_TRUE(fs::exists(fin + "/blk_9"));
  EXPECT_FALSE(fs::exists(fin + "/blk_9_80.meta"));
  EXPECT_FALSE(fs::exists(RbwDir(Vol(0)) + "/blk_11_3.meta"));
  EXPECT_EQ(store_->GetReplica(11).status().code(), ErrorCode::kNotFound);
  auto back = ReadAll(*store_, 9, 90);
  ASSERT_TRUE(back.ok());
  EXPECT_BYTES_EQ(*back, data);
}

TEST_P(BlockStoreTest, DuplicateAcrossVolumesKeepsTheNewest) {
  Open(2);
  std::string data = RandomBytes(4000, 16);
  ReplicaInfo r = Finalized(70, 5, data);
  store_.reset();
  // A copy of the replica with a newer stamp on the other volume (e.g. an interrupted move).
  std::string from = FinalizedDir(Vol(r.volume), 70), to = FinalizedDir(Vol(1 - r.volume), 70);
  ASSERT_TRUE(MakeDirs(to).ok());
  fs::copy_file(from + "/blk_70", to + "/blk_70");
  fs::copy_file(from + "/blk_70_5.meta", to + "/blk_70_6.meta");
  Open(2);
  auto got = store_->GetReplica(70);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->gen_stamp, 6u);
  EXPECT_EQ(got->volume, 1 - r.volume);
  EXPECT_BYTES_EQ(*ReadAll(*store_, 70, 6), data);
  auto vols = store_->Volumes();
  EXPECT_EQ(vols[r.volume].dfs_used, 0u);
  EXPECT_EQ(vols[1 - r.volume].dfs_used, 4000 + MetaFileSize({}, 4000));
}

TEST_P(BlockStoreTest, AppendToPartialChunk) {
  Open();
  std::string a = RandomBytes(1000, 6), b = RandomBytes(70000, 7);
  Finalized(3, 30, a);
  EXPECT_EQ(store_->Append(3, 29, 31, 1000).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->Append(3, 30, 31, 999).status().code(), ErrorCode::kCorruption);
  auto w = store_->Append(3, 30, 31, 1000);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ((*w)->bytes_on_disk(), 1000u);
  EXPECT_EQ((*w)->replica().gen_stamp, 31u);
  EXPECT_EQ(store_->GetReplica(3)->state, ReplicaState::kRbw);
  ASSERT_TRUE(WriteAll(**w, b).ok());
  ASSERT_TRUE((*w)->Finalize().ok());
  EXPECT_TRUE(fs::exists(FinalizedDir(Vol(0), 3) + "/blk_3_31.meta"));
  EXPECT_FALSE(fs::exists(FinalizedDir(Vol(0), 3) + "/blk_3_30.meta"));
  auto back = ReadAll(*store_, 3, 31);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_BYTES_EQ(*back, a + b);
  // Some clients (the Go client) append without moving the stamp; older stamps are refused.
  EXPECT_EQ(store_->Append(3, 31, 30, a.size() + b.size()).status().code(), ErrorCode::kInvalidArgument);
  auto same = store_->Append(3, 31, 31, a.size() + b.size());
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  ASSERT_TRUE(WriteAll(**same, "z").ok());
  ASSERT_TRUE((*same)->Finalize().ok());
  EXPECT_BYTES_EQ(*ReadAll(*store_, 3, 31), a + b + "z");
}

TEST_P(BlockStoreTest, RecoverRbwTruncatesToAckedBytes) {
  Open();
  std::string data = RandomBytes(3000, 8);
  auto w = store_->CreateRbw(4, 40, {});
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(WriteAll(**w, data).ok());
  (*w)->SetBytesAcked(3000);
  // Acks only move forward.
  (*w)->SetBytesAcked(100);
  EXPECT_EQ(store_->GetReplica(4)->bytes_acked, 3000u);
  w->reset();
  EXPECT_EQ(store_->RecoverRbw(4, 40, 41, 3001, 4000).status().code(), ErrorCode::kAborted);
  EXPECT_EQ(store_->RecoverRbw(4, 40, 41, 0, 2000).status().code(), ErrorCode::kAborted);
  EXPECT_EQ(store_->RecoverRbw(4, 42, 43, 0, 4000).status().code(), ErrorCode::kAborted);  // stamp mismatch
  auto r = store_->RecoverRbw(4, 40, 41, 2000, 3000);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->bytes_on_disk(), 3000u);
  ASSERT_TRUE(WriteAll(**r, "tail").ok());
  ASSERT_TRUE((*r)->Finalize().ok());
  EXPECT_BYTES_EQ(*ReadAll(*store_, 4, 41), data + "tail");
}

TEST_P(BlockStoreTest, RecoveryStopsTheActiveWriterAndTruncates) {
  Open();
  std::string data = RandomBytes(5000, 9);
  auto w = store_->CreateRbw(8, 80, {});
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(WriteAll(**w, data, /*ack=*/false).ok());
  (*w)->SetBytesAcked(2100);  // the pipeline acknowledged less than was written
  std::atomic<bool> interrupted{false};
  (*w)->SetInterrupt([&] { interrupted = true; });
  // The writing thread notices the interrupt (its socket closes) and aborts.
  std::thread writer_thread([&] {
    while (!interrupted) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    (*w)->Abort();
  });
  auto r = store_->RecoverRbw(8, 80, 81, 2000, 5000);
  writer_thread.join();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(interrupted);
  EXPECT_EQ((*r)->bytes_on_disk(), 2100u);
  EXPECT_EQ(fs::file_size(RbwDir(Vol(0)) + "/blk_8"), 2100u);
  ASSERT_TRUE((*r)->Finalize().ok());
  auto back = ReadAll(*store_, 8, 81);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_BYTES_EQ(*back, data.substr(0, 2100));
}

TEST_P(BlockStoreTest, CloseAndAppendRecovery) {
  Open();
  std::string data = RandomBytes(1500, 10);
  auto w = store_->CreateRbw(12, 120, {});
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(WriteAll(**w, data).ok());
  w->reset();
  EXPECT_EQ(store_->RecoverClose(12, 120, 121, 1400).status().code(), ErrorCode::kCorruption);
  auto closed = store_->RecoverClose(12, 120, 121, 1500);
  ASSERT_TRUE(closed.ok()) << closed.status().ToString();
  EXPECT_EQ(closed->state, ReplicaState::kFinalized);
  EXPECT_EQ(closed->gen_stamp, 121u);
  EXPECT_EQ(listener_.Count('R', 12), 1);
  auto again = store_->RecoverAppend(12, 121, 122, 1500);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  ASSERT_TRUE(WriteAll(**again, "more").ok());
  ASSERT_TRUE((*again)->Finalize().ok());
  EXPECT_BYTES_EQ(*ReadAll(*store_, 12, 122), data + "more");
}

TEST_P(BlockStoreTest, DeleteChecksStampAndFreesSpace) {
  Open();
  Finalized(20, 200, RandomBytes(10000, 11));
  uint64_t used = store_->Volumes()[0].dfs_used;
  EXPECT_GT(used, 10000u);
  EXPECT_EQ(store_->Delete(20, 199).code(), ErrorCode::kAborted);
  EXPECT_EQ(store_->Delete(21, 1).code(), ErrorCode::kNotFound);
  ASSERT_TRUE(store_->Delete(20, 200).ok());
  EXPECT_EQ(store_->OpenForRead(20, 200).status().code(), ErrorCode::kNotFound);
  EXPECT_FALSE(fs::exists(FinalizedDir(Vol(0), 20) + "/blk_20"));
  EXPECT_EQ(store_->Volumes()[0].dfs_used, 0u);
  EXPECT_EQ(listener_.Count('D', 20), 1);
}

TEST_P(BlockStoreTest, TemporaryReplicasAreInvisibleUntilComplete) {
  Open();
  auto t = store_->CreateTemporary(30, 300, {});
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(WriteAll(**t, RandomBytes(100, 12)).ok());
  EXPECT_TRUE(store_->ListReplicas().empty());
  EXPECT_EQ(store_->OpenForRead(30, 300).status().code(), ErrorCode::kNotFound);
  (*t)->Abort();
  EXPECT_FALSE(fs::exists(TmpDir(Vol(0)) + "/blk_30"));
  EXPECT_EQ(store_->GetReplica(30).status().code(), ErrorCode::kNotFound);

  auto t2 = store_->CreateTemporary(30, 300, {});
  ASSERT_TRUE(t2.ok());
  ASSERT_TRUE(WriteAll(**t2, "abc").ok());
  ASSERT_TRUE((*t2)->Finalize().ok());
  EXPECT_BYTES_EQ(*ReadAll(*store_, 30, 300), "abc");
  EXPECT_EQ(listener_.Count('I', 30), 0);
  EXPECT_EQ(listener_.Count('R', 30), 1);
  // A transfer may replace an older copy, but not a current one.
  EXPECT_EQ(store_->CreateTemporary(30, 300, {}).status().code(), ErrorCode::kAlreadyExists);
  auto newer = store_->CreateTemporary(30, 301, {});
  ASSERT_TRUE(newer.ok()) << newer.status().ToString();
  EXPECT_EQ(listener_.Count('D', 30), 1);
}

TEST_P(BlockStoreTest, FailedVolumeIsTakenOutOfService) {
  Open(2);
  ReplicaInfo a = Finalized(40, 1, RandomBytes(3000, 13));
  ReplicaInfo b = Finalized(41, 1, RandomBytes(3000, 14));
  ASSERT_NE(a.volume, b.volume);  // round-robin
  int dead = a.volume;
  fs::remove_all(Vol(dead));  // the disk is gone
  // New replicas keep coming; the broken volume is found, failed and skipped.
  for (uint64_t id = 50; id < 54; ++id) {
    ReplicaInfo r = Finalized(id, 1, RandomBytes(100, id));
    EXPECT_NE(r.volume, dead);
  }
  auto vols = store_->Volumes();
  ASSERT_EQ(vols.size(), 2u);
  EXPECT_TRUE(vols[dead].failed);
  EXPECT_FALSE(vols[dead].failure.empty());
  EXPECT_FALSE(vols[1 - dead].failed);
  EXPECT_EQ(listener_.Count('V', 0), 1);
  EXPECT_EQ(store_->GetReplica(40).status().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(store_->GetReplica(41).ok());
  EXPECT_TRUE(ReadAll(*store_, 41, 1).ok());
  EXPECT_EQ(store_->ListReplicas().size(), 5u);
}

TEST_P(BlockStoreTest, CapacityLimitRefusesWrites) {
  Open(1, 20000);
  auto w = store_->CreateRbw(60, 1, {});
  ASSERT_TRUE(w.ok());
  Status st = WriteAll(**w, RandomBytes(30000, 15));
  EXPECT_EQ(st.code(), ErrorCode::kNoSpace) << st.ToString();
  EXPECT_LE((*w)->bytes_on_disk(), 20000u);
  w->reset();
  auto vols = store_->Volumes();
  EXPECT_EQ(vols[0].capacity, 20000u);
  EXPECT_LE(vols[0].dfs_used, 20000u);
  // Files already counted up to the limit: no new replica fits now.
  ASSERT_TRUE(store_->Delete(60, 1).ok());
  EXPECT_TRUE(store_->CreateRbw(61, 1, {}).ok());
}

INSTANTIATE_TEST_SUITE_P(Engines, BlockStoreTest, ::testing::Values(IoEngineKind::kUring, IoEngineKind::kSync),
                         [](const auto& info) { return info.param == IoEngineKind::kUring ? "uring" : "sync"; });

}  // namespace
}  // namespace cairn::datanode
