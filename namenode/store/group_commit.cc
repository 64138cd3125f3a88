#include "namenode/store/group_commit.h"

#include <spdlog/spdlog.h>

#include <vector>

namespace cairn::namenode {

namespace {
// Copies the Puts and Deletes of one batch into another (the namespace writes nothing
// else), preserving their order.
class AppendTo : public rocksdb::WriteBatch::Handler {
 public:
  explicit AppendTo(rocksdb::WriteBatch* out) : out_(out) {}
  rocksdb::Status PutCF(uint32_t cf, const rocksdb::Slice& key, const rocksdb::Slice& value) override {
    if (cf != 0) return rocksdb::Status::NotSupported("column family in a namespace batch");
    return out_->Put(key, value);
  }
  rocksdb::Status DeleteCF(uint32_t cf, const rocksdb::Slice& key) override {
    if (cf != 0) return rocksdb::Status::NotSupported("column family in a namespace batch");
    return out_->Delete(key);
  }

 private:
  rocksdb::WriteBatch* out_;
};

Status Join(std::vector<rocksdb::WriteBatch>& batches, rocksdb::WriteBatch* joined) {
  *joined = std::move(batches.front());
  AppendTo append(joined);
  for (size_t i = 1; i < batches.size(); ++i) {
    rocksdb::Status st = batches[i].Iterate(&append);
    if (!st.ok()) return Internal("joining namespace batches: {}", st.ToString());
  }
  return Status::OK();
}
}  // namespace

uint64_t GroupCommit::Enqueue(rocksdb::WriteBatch* batch) {
  std::lock_guard lock(mu_);
  queued_.push_back(std::move(*batch));
  batch->Clear();
  return ++tickets_;
}

uint64_t GroupCommit::LastTicket() const {
  std::lock_guard lock(mu_);
  return tickets_;
}

Status GroupCommit::WaitDurable(uint64_t ticket) {
  std::unique_lock lock(mu_);
  while (true) {
    if (durable_ >= ticket) return Status::OK();
    if (!error_.ok()) return error_;
    if (writing_ || queued_.empty()) {
      // Another leader holds our batch (or the one before it): its round or the next covers us.
      cv_.wait(lock);
      continue;
    }
    // Leader: everything queued so far goes in one synced write, in ticket order.
    writing_ = true;
    std::vector<rocksdb::WriteBatch> batches(std::make_move_iterator(queued_.begin()),
                                             std::make_move_iterator(queued_.end()));
    queued_.clear();
    taken_ += batches.size();
    const uint64_t target = taken_;
    lock.unlock();
    rocksdb::WriteBatch joined;
    Status st = Join(batches, &joined);
    if (st.ok()) st = write_synced_(&joined);
    lock.lock();
    writing_ = false;
    ++syncs_;
    if (st.ok()) {
      durable_ = target;
    } else {
      spdlog::critical("namespace store write failed; refusing further mutations: {}", st.ToString());
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
