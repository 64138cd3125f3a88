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

GroupCommit::GroupCommit(std::function<Status(rocksdb::WriteBatch*)> write_synced,
                         std::function<void(const Status&)> on_failure)
    : write_synced_(std::move(write_synced)), on_failure_(std::move(on_failure)), committer_([this] { CommitterLoop(); }) {}

GroupCommit::~GroupCommit() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  committer_.join();
}

uint64_t GroupCommit::Enqueue(rocksdb::WriteBatch* batch) {
  bool wake = false;
  uint64_t ticket;
  {
    std::lock_guard lock(mu_);
    queued_.push_back(std::move(*batch));
    batch->Clear();
    ticket = ++tickets_;
    wake = !callbacks_.empty() && !writing_;
  }
  if (wake) work_cv_.notify_one();
  return ticket;
}

uint64_t GroupCommit::LastTicket() const {
  std::lock_guard lock(mu_);
  return tickets_;
}

GroupCommit::Ready GroupCommit::Lead(std::unique_lock<std::mutex>& lock) {
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
    const bool first = error_.ok();
    error_ = st;
    if (first && on_failure_) on_failure_(st);
  }
  Ready ready;
  const auto due_end = error_.ok() ? callbacks_.upper_bound(durable_) : callbacks_.end();
  for (auto it = callbacks_.begin(); it != due_end; ++it) ready.emplace_back(std::move(it->second), error_);
  callbacks_.erase(callbacks_.begin(), due_end);
  cv_.notify_all();
  // Callbacks still wait on batches queued meanwhile: the committer leads next.
  if (!callbacks_.empty() && !queued_.empty()) work_cv_.notify_one();
  return ready;
}

void GroupCommit::Run(std::unique_lock<std::mutex>& lock, Ready& ready) {
  if (ready.empty()) return;
  ++callbacks_running_;
  lock.unlock();
  for (auto& [done, st] : ready) done(st);
  lock.lock();
  --callbacks_running_;
  cv_.notify_all();
}

void GroupCommit::Drain() {
  std::unique_lock lock(mu_);
  while (true) {
    if (!writing_ && !queued_.empty()) {
      Ready ready = Lead(lock);
      Run(lock, ready);
      continue;
    }
    if (!writing_ && callbacks_running_ == 0 && (callbacks_.empty() || !error_.ok())) break;
    cv_.wait(lock);
  }
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
    Ready ready = Lead(lock);
    Run(lock, ready);
  }
}

void GroupCommit::WhenDurable(uint64_t ticket, DurableCallback done) {
  std::unique_lock lock(mu_);
  if (durable_ >= ticket || !error_.ok()) {
    Status st = durable_ >= ticket ? Status::OK() : error_;
    lock.unlock();
    done(st);
    return;
  }
  callbacks_.emplace(ticket, std::move(done));
  const bool wake = !writing_;
  lock.unlock();
  if (wake) work_cv_.notify_one();
}

void GroupCommit::CommitterLoop() {
  std::unique_lock lock(mu_);
  while (true) {
    if (!writing_ && !queued_.empty() && (!callbacks_.empty() || stopping_)) {
      Ready ready = Lead(lock);
      Run(lock, ready);
      continue;
    }
    if (stopping_ && !writing_) break;
    work_cv_.wait(lock);
  }
  // Nothing is queued any more: what still waits was never enqueued or the store failed.
  Ready left;
  for (auto& [ticket, done] : callbacks_)
    left.emplace_back(std::move(done), error_.ok() ? Aborted("namenode shutting down") : error_);
  callbacks_.clear();
  Run(lock, left);
}

uint64_t GroupCommit::syncs() const {
  std::lock_guard lock(mu_);
  return syncs_;
}

}  // namespace cairn::namenode
