// GroupCommit: the durability barrier shared by every mutation. A writer applies its
// batch (WAL written, not synced) while holding the namespace lock, takes a ticket with
// Written() before releasing the lock, and then calls WaitDurable(ticket) without any
// lock. The first waiter becomes the leader and syncs once for every batch written before
// the sync started; later waiters either find their ticket covered or wait for the next
// round. Many concurrent mutations thus share one fsync.
//
// Thread-safety: Written() must be called in write order (the namespace lock ensures it);
// WaitDurable from any thread. A failed sync is sticky: every later wait fails with it,
// because what was acknowledged in memory can no longer be promised on disk.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

#include "common/status.h"

namespace cairn::namenode {

class GroupCommit {
 public:
  explicit GroupCommit(std::function<Status()> sync) : sync_(std::move(sync)) {}

  // Records that one more batch was written; returns its ticket.
  uint64_t Written();
  // The newest ticket handed out: waiting on it covers every change written so far.
  uint64_t LastTicket() const;
  // Returns once every batch up to `ticket` is durable (or the sync failed).
  Status WaitDurable(uint64_t ticket);

  uint64_t syncs() const;  // number of syncs done, for tests and metrics

 private:
  const std::function<Status()> sync_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  uint64_t written_ = 0;   // guarded by mu_: tickets handed out
  uint64_t durable_ = 0;   // guarded by mu_: every ticket <= durable_ is synced
  bool syncing_ = false;   // guarded by mu_: a leader is inside sync_()
  uint64_t syncs_ = 0;     // guarded by mu_
  Status error_;           // guarded by mu_: sticky sync failure
};

}  // namespace cairn::namenode
