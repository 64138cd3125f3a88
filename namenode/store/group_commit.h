// GroupCommit: the write-and-sync queue shared by every mutation. A writer hands over its
// batch with Enqueue() while it still holds the namespace lock (so ticket order is the
// order of the in-memory changes), releases the lock, and calls WaitDurable(ticket). The
// first waiter becomes the leader: it takes every batch queued so far, in ticket order,
// joins them into one RocksDB write with sync on, and marks them all durable; later
// waiters find their ticket covered or wait for the next round. The namespace lock is thus
// held only for the in-memory change and the batch's serialisation, never across the
// RocksDB write or the fsync, and one WAL append plus one fsync acknowledge many
// operations (the WAL order still follows ticket order: one leader at a time writes a
// prefix of the queue).
//
// A caller that must not block (a front door's I/O thread) registers WhenDurable(ticket,
// done) instead of waiting: `done` runs once the ticket is durable, on the thread that
// wrote it — a waiting leader or the committer thread, which leads whenever callbacks wait
// and no one else does. `done` must not block.
//
// Thread-safety: Enqueue must be called in change order (the namespace lock ensures it);
// WaitDurable and WhenDurable from any thread. A failed write is sticky: every later wait fails with it,
// because what was changed in memory can no longer be promised on disk.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <rocksdb/write_batch.h>

#include "common/status.h"

namespace cairn::namenode {

class GroupCommit {
 public:
  // `write_synced` applies one batch atomically and returns once it is durable.
  // on_failure (may be empty) runs once, with mu_ held, when the first write fails; it
  // must not block (the namenode logs and asks itself to shut down).
  explicit GroupCommit(std::function<Status(rocksdb::WriteBatch*)> write_synced,
                       std::function<void(const Status&)> on_failure = {});
  // Writes what is queued, runs every callback (with the write's outcome, or kAborted for
  // tickets never written), and stops the committer thread.
  ~GroupCommit();
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Queues a batch (its contents are taken); returns its ticket.
  uint64_t Enqueue(rocksdb::WriteBatch* batch);
  // The newest ticket handed out: waiting on it covers every change queued so far.
  uint64_t LastTicket() const;
  // Returns once every batch up to `ticket` is durable (or a write failed).
  Status WaitDurable(uint64_t ticket);
  // Runs done(outcome) once every batch up to `ticket` is durable or a write failed: at
  // once on this thread when that is already so, else later on a committing thread.
  using DurableCallback = std::function<void(const Status&)>;
  void WhenDurable(uint64_t ticket, DurableCallback done);
  // Writes everything queued and returns once no callback is waiting or running (before
  // the owners of what callbacks touch go away).
  void Drain();

  uint64_t syncs() const;  // synced writes done, for tests and metrics

 private:
  using Ready = std::vector<std::pair<DurableCallback, Status>>;
  // One round as leader: writes everything queued; returns the callbacks now due. Called
  // with mu_ held (released around the write) and writing_ false.
  Ready Lead(std::unique_lock<std::mutex>& lock);
  // Runs the callbacks of a round without mu_ (taken and released here).
  void Run(std::unique_lock<std::mutex>& lock, Ready& ready);
  void CommitterLoop();

  const std::function<Status(rocksdb::WriteBatch*)> write_synced_;
  const std::function<void(const Status&)> on_failure_;
  mutable std::mutex mu_;
  std::condition_variable cv_;         // a round ended
  std::condition_variable work_cv_;    // the committer may have work
  std::multimap<uint64_t, DurableCallback> callbacks_;  // guarded by mu_: by ticket
  bool stopping_ = false;                               // guarded by mu_
  int callbacks_running_ = 0;                           // guarded by mu_: rounds running callbacks
  std::deque<rocksdb::WriteBatch> queued_;  // guarded by mu_: tickets durable_+1.. not yet taken
  uint64_t taken_ = 0;     // guarded by mu_: tickets up to here are being (or were) written
  uint64_t tickets_ = 0;   // guarded by mu_: tickets handed out
  uint64_t durable_ = 0;   // guarded by mu_: every ticket <= durable_ is synced
  bool writing_ = false;   // guarded by mu_: a leader is inside write_synced_()
  uint64_t syncs_ = 0;     // guarded by mu_
  Status error_;           // guarded by mu_: sticky write failure
  std::thread committer_;  // last: starts once everything above is ready
};

}  // namespace cairn::namenode
