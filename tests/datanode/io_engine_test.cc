// IoEngine: io_uring and pread/pwrite engines read, write and sync the same way.
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "datanode/store/io_engine.h"
#include "tests/support/test_util.h"

namespace cairn::datanode {
namespace {

struct EngineCase {
  const char* name;
  bool uring;
};

class IoEngineTest : public ::testing::TestWithParam<EngineCase> {
 protected:
  void SetUp() override {
    dir_ = cairn::testing::MakeTempDir("io");
    if (GetParam().uring) {
      auto e = MakeUringIoEngine(8);
      if (!e.ok()) GTEST_SKIP() << "io_uring refused by this kernel: " << e.status().ToString();
      engine_ = std::move(e).value();
    } else {
      engine_ = MakeSyncIoEngine();
    }
    fd_ = ::open((dir_ + "/f").c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd_, 0);
  }
  void TearDown() override {
    if (fd_ >= 0) ::close(fd_);
    cairn::testing::RemoveTree(dir_);
  }
  std::string dir_;
  std::unique_ptr<IoEngine> engine_;
  int fd_ = -1;
};

TEST_P(IoEngineTest, WriteReadSync) {
  EXPECT_EQ(engine_->name(), GetParam().uring ? "uring" : "sync");
  std::string a = cairn::testing::RandomBytes(300000, 1), b = cairn::testing::RandomBytes(4096, 2);
  IoBatch w;
  w.AddWrite(fd_, a.data(), a.size(), 0);
  w.AddWrite(fd_, b.data(), b.size(), a.size());
  ASSERT_TRUE(engine_->Submit(w).ok());
  EXPECT_TRUE(w.in_flight());
  ASSERT_TRUE(engine_->Wait(w).ok());
  EXPECT_FALSE(w.in_flight());
  EXPECT_EQ(w.op(0).result, static_cast<int64_t>(a.size()));
  w.Clear();
  w.AddFdatasync(fd_);
  ASSERT_TRUE(engine_->Run(w).ok());

  // Two batches in flight at once, waited out of order.
  std::string ra(a.size(), '\0'), rb(b.size(), '\0');
  IoBatch r1, r2;
  r1.AddRead(fd_, ra.data(), ra.size(), 0);
  r2.AddRead(fd_, rb.data(), rb.size(), a.size());
  ASSERT_TRUE(engine_->Submit(r1).ok());
  ASSERT_TRUE(engine_->Submit(r2).ok());
  ASSERT_TRUE(engine_->Wait(r2).ok());
  ASSERT_TRUE(engine_->Wait(r1).ok());
  EXPECT_EQ(ra, a);
  EXPECT_EQ(rb, b);
}

TEST_P(IoEngineTest, ShortReadAtEndOfFileAndErrors) {
  std::string a = "hello";
  IoBatch w;
  w.AddWrite(fd_, a.data(), a.size(), 0);
  ASSERT_TRUE(engine_->Run(w).ok());
  char buf[64];
  IoBatch r;
  r.AddRead(fd_, buf, sizeof buf, 2);
  ASSERT_TRUE(engine_->Run(r).ok());
  EXPECT_EQ(r.op(0).result, 3);
  EXPECT_EQ(std::string(buf, 3), "llo");

  IoBatch bad;
  bad.AddRead(12345, buf, sizeof buf, 0);  // not an open descriptor
  Status st = engine_->Run(bad);
  EXPECT_EQ(st.code(), ErrorCode::kIoError) << st.ToString();
}

TEST_P(IoEngineTest, ManyBatchesOverflowingTheRing) {
  std::vector<std::string> blocks;
  std::vector<std::unique_ptr<IoBatch>> batches;
  for (int i = 0; i < 40; ++i) {  // 40 batches of 2 ops on a ring of 8 entries
    blocks.push_back(cairn::testing::RandomBytes(8192, 10 + i));
    auto b = std::make_unique<IoBatch>();
    b->AddWrite(fd_, blocks.back().data(), 4096, i * 8192);
    b->AddWrite(fd_, blocks.back().data() + 4096, 4096, i * 8192 + 4096);
    ASSERT_TRUE(engine_->Submit(*b).ok());
    batches.push_back(std::move(b));
  }
  for (auto& b : batches) ASSERT_TRUE(engine_->Wait(*b).ok());
  std::string all(40 * 8192, '\0');
  ASSERT_EQ(::pread(fd_, all.data(), all.size(), 0), static_cast<ssize_t>(all.size()));
  for (int i = 0; i < 40; ++i) EXPECT_EQ(all.substr(i * 8192, 8192), blocks[i]);
}

TEST(IoEngineTest, ThreadEngineFallsBackOrUsesUring) {
  IoEngine& e = ThreadIoEngine(IoEngineKind::kUring);
  EXPECT_TRUE(e.name() == "uring" || e.name() == "sync");
  EXPECT_EQ(ThreadIoEngine(IoEngineKind::kSync).name(), "sync");
  EXPECT_EQ(&ThreadIoEngine(IoEngineKind::kUring), &e);  // one per thread
}

INSTANTIATE_TEST_SUITE_P(Engines, IoEngineTest, ::testing::Values(EngineCase{"uring", true}, EngineCase{"sync", false}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace cairn::datanode
