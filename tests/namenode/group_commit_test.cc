// Group commit: concurrent mutations share WAL syncs, every acknowledged one is durable,
// and the barrier never lets a waiter through before a sync covering its ticket.
#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "namenode/store/group_commit.h"
#include "tests/namenode/namenode_harness.h"

namespace cairn::namenode::testing {
namespace {

TEST(GroupCommitTest, OneSyncCoversEveryEarlierTicket) {
  std::atomic<uint64_t> written{0};
  std::atomic<uint64_t> synced_upto{0};
  std::atomic<int> syncs{0};
  GroupCommit* gc_ptr = nullptr;
  GroupCommit gc([&] {
    // The sync covers what was written when it started.
    uint64_t upto = written.load();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    synced_upto.store(std::max(synced_upto.load(), upto));
    ++syncs;
    return Status::OK();
  });
  gc_ptr = &gc;
  std::mutex write_mu;  // stands in for the namespace lock: write order = ticket order
  constexpr int kThreads = 16, kOps = 50;
  std::atomic<int> violations{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kOps; ++i) {
        uint64_t ticket;
        {
          std::lock_guard lock(write_mu);
          written.fetch_add(1);
          ticket = gc_ptr->Written();
        }
        ASSERT_OK(gc_ptr->WaitDurable(ticket));
        if (synced_upto.load() < ticket) ++violations;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(violations.load(), 0);
  EXPECT_LT(syncs.load(), kThreads * kOps / 2) << "syncs were not shared";
  EXPECT_EQ(gc.syncs(), static_cast<uint64_t>(syncs.load()));
}

TEST(GroupCommitTest, FailedSyncIsSticky) {
  GroupCommit gc([] { return IoError("disk on fire"); });
  uint64_t t = gc.Written();
  EXPECT_EQ(gc.WaitDurable(t).code(), ErrorCode::kIoError);
  EXPECT_EQ(gc.WaitDurable(gc.Written()).code(), ErrorCode::kIoError);
}

TEST(GroupCommitTest, ConcurrentMutationsAreAllDurableAndShareSyncs) {
  NamenodeHarness h;
  constexpr int kThreads = 16, kOps = 40;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kOps; ++i) {
        std::string dir = fmt::format("/t{}/d{}", t, i);
        if (!h.Mkdirs(dir).ok()) ++failures;
        if (!h.Touch(dir + "/f").ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(failures.load(), 0);
  const uint64_t syncs = h.nn().ns.wal_syncs();
  const uint64_t mutations = kThreads * kOps * 3;  // mkdirs, create, complete
  EXPECT_LT(syncs, mutations) << "every mutation synced on its own";
  h.Reopen();
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kOps; ++i) {
      auto f = h.Stat(fmt::format("/t{}/d{}/f", t, i));
      ASSERT_TRUE(f) << t << "/" << i;
      EXPECT_EQ(f->filetype(), hh::HdfsFileStatusProto::IS_FILE);
    }
  }
}

}  // namespace
}  // namespace cairn::namenode::testing
