// The disk fault seam (datanode/store/disk_faults.h): the plan file's grammar, and a
// fault-injecting engine around each real engine that passes I/O through with no plan and
// applies each fault exactly as the plan says, picking up changes to the file at once.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include <gtest/gtest.h>

#include "datanode/store/disk_faults.h"
#include "tests/support/fault_plan.h"
#include "tests/support/test_util.h"

namespace cairn::datanode {
namespace {

using cairn::testing::MakeTempDir;
using cairn::testing::RandomBytes;
using cairn::testing::RemoveTree;

TEST(DiskFaultPlanTest, ParsesEachFaultAndReportsWhatItDoesNotKnow) {
  std::string ignored;
  DiskFaultPlan p = DiskFaultPlan::Parse("# a comment\nread eio\n  write enospc  \nfdatasync eio # trailing\n"
                                         "delay_ms 25\nwrite sometimes\nread\ndelay_ms -3\n",
                                         &ignored);
  EXPECT_EQ(p.read_errno, EIO);
  EXPECT_EQ(p.write_errno, ENOSPC);
  EXPECT_FALSE(p.write_torn);
  EXPECT_EQ(p.fdatasync_errno, EIO);
  EXPECT_EQ(p.delay_ms, 25);
  EXPECT_EQ(ignored, "write sometimes; read; delay_ms -3");

  p = DiskFaultPlan::Parse("write torn\n", nullptr);
  EXPECT_TRUE(p.write_torn);
  EXPECT_EQ(p.write_errno, EIO);
  EXPECT_TRUE(DiskFaultPlan::Parse("\n# nothing\n", nullptr).empty());

  ignored.clear();
  p = DiskFaultPlan::Parse("read eio from_offset 524288\nread eio from_offset x\n", &ignored);
  EXPECT_EQ(p.read_errno, EIO);
  EXPECT_EQ(p.read_from_offset, 524288u);
  EXPECT_EQ(ignored, "read eio from_offset x");
}

class FaultInjectingIoEngineTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("diskfaults");
    if (GetParam()) {
      auto e = MakeUringIoEngine(8);
      if (!e.ok()) GTEST_SKIP() << "io_uring refused by this kernel: " << e.status().ToString();
      base_ = std::move(e).value();
    } else {
      base_ = MakeSyncIoEngine();
    }
    faults_ = std::make_unique<DiskFaults>(dir_ + "/plan");
    engine_ = &ThreadFaultInjectingIoEngine(*base_, *faults_);
    fd_ = ::open((dir_ + "/f").c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd_, 0);
  }
  void TearDown() override {
    if (fd_ >= 0) ::close(fd_);
    RemoveTree(dir_);
  }
  void Plan(const std::string& text) { ASSERT_OK(cairn::testing::SetFaultPlan(dir_ + "/plan", text)); }
  void NoPlan() { cairn::testing::ClearFaultPlan(dir_ + "/plan"); }
  Status Write(const std::string& data, uint64_t offset) {
    IoBatch b;
    b.AddWrite(fd_, data.data(), data.size(), offset);
    return engine_->Run(b);
  }
  off_t FileSize() const {
    struct stat st{};
    return ::fstat(fd_, &st) == 0 ? st.st_size : -1;
  }

  std::string dir_;
  std::unique_ptr<IoEngine> base_;
  std::unique_ptr<DiskFaults> faults_;
  IoEngine* engine_ = nullptr;
  int fd_ = -1;
};

TEST_P(FaultInjectingIoEngineTest, PassesThroughWithoutAPlanAndFailsAsThePlanSays) {
  const std::string data = RandomBytes(10000, 1);
  ASSERT_OK(Write(data, 0));
  EXPECT_EQ(FileSize(), 10000);

  Plan("write eio\n");
  Status st = Write(data, 10000);
  EXPECT_EQ(st.code(), ErrorCode::kIoError) << st.ToString();
  EXPECT_NE(st.message().find("injected by disk fault plan"), std::string::npos) << st.ToString();
  EXPECT_EQ(FileSize(), 10000);  // nothing landed

  Plan("write enospc\n");
  EXPECT_EQ(Write(data, 10000).code(), ErrorCode::kNoSpace);
  EXPECT_EQ(FileSize(), 10000);

  Plan("write torn\n");
  EXPECT_EQ(Write(data, 10000).code(), ErrorCode::kIoError);
  EXPECT_EQ(FileSize(), 15000);  // half of it landed

  // Reads fail while writes, now unplanned, go through.
  Plan("read eio\n");
  ASSERT_OK(Write(data, 15000));
  std::string back(data.size(), '\0');
  IoBatch r;
  r.AddRead(fd_, back.data(), back.size(), 0);
  EXPECT_EQ(engine_->Run(r).code(), ErrorCode::kIoError);
  // A bad region: reads that start before it go through.
  Plan("read eio from_offset 1000\n");
  r.Clear();
  r.AddRead(fd_, back.data(), 1000, 0);
  ASSERT_OK(engine_->Run(r));
  r.Clear();
  r.AddRead(fd_, back.data(), 1000, 1000);
  EXPECT_EQ(engine_->Run(r).code(), ErrorCode::kIoError);

  Plan("fdatasync eio\n");
  IoBatch s;
  s.AddFdatasync(fd_);
  EXPECT_EQ(engine_->Run(s).code(), ErrorCode::kIoError);

  Plan("delay_ms 150\n");
  auto start = std::chrono::steady_clock::now();
  r.Clear();
  r.AddRead(fd_, back.data(), back.size(), 0);
  ASSERT_OK(engine_->Run(r));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(150));
  EXPECT_EQ(back, data);

  NoPlan();
  s.Clear();
  s.AddFdatasync(fd_);
  EXPECT_OK(engine_->Run(s));
  r.Clear();
  r.AddRead(fd_, back.data(), back.size(), 15000);
  ASSERT_OK(engine_->Run(r));
  EXPECT_EQ(back, data);
}

INSTANTIATE_TEST_SUITE_P(Engines, FaultInjectingIoEngineTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "uring" : "sync"; });

}  // namespace
}  // namespace cairn::datanode
