#include "datanode/nn/report_queue.h"

#include <algorithm>

#include "common/clock.h"

namespace cairn::datanode {

BlockReplica ToBlockReplica(const ReplicaInfo& r) {
  BlockReplica b;
  b.set_block_id(r.block_id);
  b.set_gen_stamp(r.gen_stamp);
  b.set_num_bytes(r.state == ReplicaState::kFinalized ? r.bytes_on_disk : r.bytes_acked);
  b.set_state(r.state == ReplicaState::kFinalized ? BlockReplica::FINALIZED : BlockReplica::RBW);
  b.set_storage_id(r.storage_id);
  if (r.corrupt) b.set_corrupt(true);
  return b;
}

void ReportQueue::Add(const ReplicaInfo& replica, ReceivedDeletedBlock::Kind kind) {
  std::lock_guard lock(mu_);
  Entry& e = events_[replica.block_id];
  *e.event.mutable_replica() = ToBlockReplica(replica);
  e.event.set_kind(kind);
  e.order = next_order_++;
  e.at_ms = MonotonicMillis();
  signalled_ = true;
  cv_.notify_all();
}

void ReportQueue::OnReceiving(const ReplicaInfo& replica) { Add(replica, ReceivedDeletedBlock::RECEIVING); }
void ReportQueue::OnReceived(const ReplicaInfo& replica) { Add(replica, ReceivedDeletedBlock::RECEIVED); }
void ReportQueue::OnDeleted(const ReplicaInfo& replica) { Add(replica, ReceivedDeletedBlock::DELETED); }

void ReportQueue::OnVolumeFailed(const std::string&, const std::string&) { RequestFullReport(); }

void ReportQueue::OnCorrupt(const ReplicaInfo& replica, const std::string& reason) {
  std::lock_guard lock(mu_);
  bad_.push_back(BadReplica{ToBlockReplica(replica), reason});
  signalled_ = true;
  cv_.notify_all();
}

std::vector<ReportQueue::BadReplica> ReportQueue::TakeBadReplicas() {
  std::lock_guard lock(mu_);
  return std::exchange(bad_, {});
}

void ReportQueue::PutBackBadReplicas(std::vector<BadReplica> bad) {
  std::lock_guard lock(mu_);
  bad_.insert(bad_.begin(), std::make_move_iterator(bad.begin()), std::make_move_iterator(bad.end()));
}

bool ReportQueue::has_bad_replicas() const {
  std::lock_guard lock(mu_);
  return !bad_.empty();
}

void ReportQueue::RequestFullReport() {
  std::lock_guard lock(mu_);
  full_report_ = true;
  signalled_ = true;
  cv_.notify_all();
}

bool ReportQueue::TakeFullReportRequest() {
  std::lock_guard lock(mu_);
  return std::exchange(full_report_, false);
}

std::vector<ReceivedDeletedBlock> ReportQueue::Take() {
  std::vector<Entry> entries;
  {
    std::lock_guard lock(mu_);
    entries.reserve(events_.size());
    for (auto& [id, e] : events_) entries.push_back(std::move(e));
    events_.clear();
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.order < b.order; });
  std::vector<ReceivedDeletedBlock> out;
  out.reserve(entries.size());
  for (auto& e : entries) out.push_back(std::move(e.event));
  return out;
}

void ReportQueue::PutBack(std::vector<ReceivedDeletedBlock> events) {
  std::lock_guard lock(mu_);
  int64_t now = MonotonicMillis();
  for (auto& ev : events) {
    uint64_t id = ev.replica().block_id();
    if (events_.count(id)) continue;  // a newer event supersedes the failed one
    // Older than anything queued now, so it keeps its place in line.
    events_[id] = Entry{std::move(ev), 0, now};
  }
}

int64_t ReportQueue::oldest_ms() const {
  std::lock_guard lock(mu_);
  int64_t oldest = -1;
  for (const auto& [id, e] : events_) {
    if (oldest < 0 || e.at_ms < oldest) oldest = e.at_ms;
  }
  return oldest;
}

void ReportQueue::WaitUntil(int64_t deadline_ms) {
  std::unique_lock lock(mu_);
  int64_t wait = deadline_ms - MonotonicMillis();
  if (wait > 0) cv_.wait_for(lock, std::chrono::milliseconds(wait), [&] { return signalled_; });
  signalled_ = false;
}

void ReportQueue::Wake() {
  std::lock_guard lock(mu_);
  signalled_ = true;
  cv_.notify_all();
}

}  // namespace cairn::datanode
