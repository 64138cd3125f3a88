// Group commit: concurrent mutations share synced writes in the order of their changes,
// every acknowledged one is durable, and no waiter returns before a write covering its ticket.
#include <atomic>
#include <condition_variable>
#include <map>
#include <set>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "namenode/store/group_commit.h"
#include "tests/namenode/namenode_harness.h"
#include "tests/support/mini_cluster.h"

namespace cairn::namenode::testing {
namespace {

// The fake store applies each synced write to a map. Every batch puts its ticket under one
// shared key and its own key: the shared key must end at the last ticket (writes follow
// ticket order), every write's tickets must rise, and no waiter may return before its own
// key is stored.
TEST(GroupCommitTest, OneSyncedWriteCoversEveryQueuedBatchInTicketOrder) {
  std::mutex store_mu;
  std::map<std::string, uint64_t> store;
  std::atomic<int> writes{0}, out_of_order{0};
  GroupCommit gc([&](rocksdb::WriteBatch* batch) {
    struct Apply : rocksdb::WriteBatch::Handler {
      std::map<std::string, uint64_t>* store;
      uint64_t last = 0;
      int* out_of_order;
      rocksdb::Status PutCF(uint32_t, const rocksdb::Slice& k, const rocksdb::Slice& v) override {
        const uint64_t ticket = std::stoull(v.ToString());
        if (k.ToString() == "shared") {
          if (ticket <= last) ++*out_of_order;
          last = ticket;
        }
        (*store)[k.ToString()] = ticket;
        return rocksdb::Status::OK();
      }
    } apply;
    int bad = 0;
    apply.out_of_order = &bad;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // a slow fsync
    std::lock_guard lock(store_mu);
    apply.store = &store;
    EXPECT_TRUE(batch->Iterate(&apply).ok());
    out_of_order += bad;
    ++writes;
    return Status::OK();
  });
  std::mutex change_mu;  // stands in for the namespace lock: enqueue order = change order
  constexpr int kThreads = 16, kOps = 50;
  std::atomic<uint64_t> next{0};
  std::atomic<int> early{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kOps; ++i) {
        uint64_t ticket;
        {
          std::lock_guard lock(change_mu);
          const uint64_t n = ++next;
          rocksdb::WriteBatch batch;
          batch.Put("shared", std::to_string(n));
          batch.Put("k" + std::to_string(n), std::to_string(n));
          ticket = gc.Enqueue(&batch);
          EXPECT_EQ(ticket, n);
          EXPECT_EQ(batch.Count(), 0u) << "Enqueue takes the batch's contents";
        }
        ASSERT_OK(gc.WaitDurable(ticket));
        std::lock_guard lock(store_mu);
        if (store.count("k" + std::to_string(ticket)) == 0) ++early;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(early.load(), 0) << "a waiter returned before its batch was written";
  EXPECT_EQ(out_of_order.load(), 0);
  EXPECT_EQ(store["shared"], static_cast<uint64_t>(kThreads * kOps));
  EXPECT_EQ(store.size(), static_cast<size_t>(kThreads * kOps + 1));
  EXPECT_LT(writes.load(), kThreads * kOps / 2) << "synced writes were not shared";
  EXPECT_EQ(gc.syncs(), static_cast<uint64_t>(writes.load()));
}

TEST(GroupCommitTest, FailedWriteIsSticky) {
  GroupCommit gc([](rocksdb::WriteBatch*) { return IoError("disk on fire"); });
  rocksdb::WriteBatch batch;
  batch.Put("a", "1");
  uint64_t t = gc.Enqueue(&batch);
  EXPECT_EQ(gc.WaitDurable(t).code(), ErrorCode::kIoError);
  batch.Put("b", "2");
  EXPECT_EQ(gc.WaitDurable(gc.Enqueue(&batch)).code(), ErrorCode::kIoError);
}

TEST(GroupCommitTest, NothingQueuedIsDurableAtOnce) {
  std::atomic<int> writes{0};
  GroupCommit gc([&](rocksdb::WriteBatch*) {
    ++writes;
    return Status::OK();
  });
  EXPECT_OK(gc.WaitDurable(gc.LastTicket()));
  EXPECT_EQ(writes.load(), 0);
}

// Callbacks instead of waiters: nobody waits, so the committer thread leads; every callback
// runs once its batch is in the store, and a failed write reaches every callback.
TEST(GroupCommitTest, WhenDurableRunsEachCallbackAfterItsBatchIsWritten) {
  std::mutex store_mu;
  std::set<std::string> store;
  bool fail = false;
  GroupCommit gc([&](rocksdb::WriteBatch* batch) {
    struct Apply : rocksdb::WriteBatch::Handler {
      std::set<std::string>* store;
      rocksdb::Status PutCF(uint32_t, const rocksdb::Slice& k, const rocksdb::Slice&) override {
        store->insert(k.ToString());
        return rocksdb::Status::OK();
      }
    } apply;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::lock_guard lock(store_mu);
    if (fail) return IoError("disk on fire");
    apply.store = &store;
    EXPECT_TRUE(batch->Iterate(&apply).ok());
    return Status::OK();
  });
  constexpr int kBatches = 200;
  std::mutex done_mu;
  std::condition_variable done_cv;
  int done = 0, early = 0;
  for (int i = 1; i <= kBatches; ++i) {
    rocksdb::WriteBatch batch;
    const std::string key = "k" + std::to_string(i);
    batch.Put(key, "v");
    const uint64_t ticket = gc.Enqueue(&batch);
    gc.WhenDurable(ticket, [&, key](const Status& st) {
      EXPECT_OK(st);
      {
        std::lock_guard lock(store_mu);
        if (store.count(key) == 0) ++early;
      }
      std::lock_guard lock(done_mu);
      ++done;
      done_cv.notify_all();
    });
  }
  {
    std::unique_lock lock(done_mu);
    ASSERT_TRUE(done_cv.wait_for(lock, std::chrono::seconds(20), [&] { return done == kBatches; }));
  }
  EXPECT_EQ(early, 0) << "a callback ran before its batch was written";
  EXPECT_LT(gc.syncs(), static_cast<uint64_t>(kBatches)) << "callbacks did not share writes";
  // Already durable: the callback runs at once, on this thread.
  bool ran = false;
  gc.WhenDurable(gc.LastTicket(), [&](const Status& st) { ran = st.ok(); });
  EXPECT_TRUE(ran);
  // A failed write reaches the callbacks waiting on it.
  {
    std::lock_guard lock(store_mu);
    fail = true;
  }
  rocksdb::WriteBatch batch;
  batch.Put("lost", "v");
  std::atomic<int> code{-1};
  gc.WhenDurable(gc.Enqueue(&batch), [&](const Status& st) { code = static_cast<int>(st.code()); });
  ASSERT_EVENTUALLY(code.load() >= 0, 10000);
  EXPECT_EQ(code.load(), static_cast<int>(ErrorCode::kIoError));
}

// Drain returns only once queued batches are written and their callbacks have finished.
TEST(GroupCommitTest, DrainWaitsForRunningCallbacks) {
  GroupCommit gc([](rocksdb::WriteBatch*) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return Status::OK();
  });
  std::atomic<int> finished{0};
  for (int i = 0; i < 3; ++i) {
    rocksdb::WriteBatch batch;
    batch.Put("k" + std::to_string(i), "v");
    gc.WhenDurable(gc.Enqueue(&batch), [&](const Status& st) {
      EXPECT_OK(st);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      ++finished;
    });
  }
  gc.Drain();
  EXPECT_EQ(finished.load(), 3);
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
