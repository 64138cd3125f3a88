#include "namenode/store/group_commit.h"

#include <spdlog/spdlog.h>

namespace cairn::namenode {

uint64_t GroupCommit::Written() {
  std::lock_guard lock(mu_);
  return ++written_;
}

uint64_t GroupCommit::LastTicket() const {
  std::lock_guard lock(mu_);
  return written_;
}

Status GroupCommit::WaitDurable(uint64_t ticket) {
  std::unique_lock lock(mu_);
  while (true) {
    if (durable_ >= ticket) return Status::OK();
    if (!error_.ok()) return error_;
    if (syncing_) {
      cv_.wait(lock);
      continue;
    }
    // Leader: everything written so far is in the WAL already, so one sync covers it.
    syncing_ = true;
    uint64_t target = written_;
    lock.unlock();
    Status st = sync_();
    lock.lock();
    syncing_ = false;
    ++syncs_;
    if (st.ok()) {
      durable_ = std::max(durable_, target);
    } else {
      spdlog::critical("namespace WAL sync failed; refusing further mutations: {}", st.ToString());
      error_ = st;
    }
    cv_.notify_all();
  }
}

uint64_t GroupCommit::syncs() const {
  std::lock_guard lock(mu_);
  return syncs_;
}

}  // namespace cairn::namenode
