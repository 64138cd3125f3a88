// ReportQueue: what the namenode must hear about between full block reports. The block
// store calls it (it is the store's ReplicaListener) for replicas RECEIVING, RECEIVED and
// DELETED, for corrupt replicas and for failed volumes; the namenode actor takes the
// queued events and sends them as one incremental block report, and the corrupt replicas
// as bad-block reports. Events for the same block coalesce: the latest wins. A failed
// volume asks for a full block report.
//
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "cairn/datanode_protocol.pb.h"
#include "datanode/store/block_store.h"

namespace cairn::datanode {

class ReportQueue final : public ReplicaListener {
 public:
  void OnReceiving(const ReplicaInfo& replica) override;
  void OnReceived(const ReplicaInfo& replica) override;
  void OnDeleted(const ReplicaInfo& replica) override;
  void OnVolumeFailed(const std::string& storage_id, const std::string& reason) override;
  void OnCorrupt(const ReplicaInfo& replica, const std::string& reason) override;

  // Everything queued, oldest first; the queue is then empty.
  std::vector<ReceivedDeletedBlock> Take();
  // Returns events whose report failed, unless newer events for their blocks came since.
  void PutBack(std::vector<ReceivedDeletedBlock> events);
  // Corrupt replicas not yet reported (one bad-block report each).
  struct BadReplica {
    BlockReplica replica;
    std::string reason;
  };
  std::vector<BadReplica> TakeBadReplicas();
  void PutBackBadReplicas(std::vector<BadReplica> bad);
  bool has_bad_replicas() const;

  // Monotonic ms when the oldest queued event arrived; -1 when empty.
  int64_t oldest_ms() const;
  // True once after a volume failure (or RequestFullReport).
  bool TakeFullReportRequest();
  void RequestFullReport();

  // Waits until something happened since the last wait (an event, a full report request,
  // Wake()) or the deadline (monotonic ms) passes.
  void WaitUntil(int64_t deadline_ms);
  void Wake();

 private:
  void Add(const ReplicaInfo& replica, ReceivedDeletedBlock::Kind kind);

  mutable std::mutex mu_;
  std::condition_variable cv_;
  struct Entry {
    ReceivedDeletedBlock event;
    uint64_t order;
    int64_t at_ms;
  };
  std::unordered_map<uint64_t, Entry> events_;  // guarded by mu_, keyed by block id
  uint64_t next_order_ = 0;                      // guarded by mu_
  std::vector<BadReplica> bad_;                  // guarded by mu_
  bool full_report_ = false;                     // guarded by mu_
  bool signalled_ = false;                       // guarded by mu_: news since the last wait
};

// The report form of a replica (a corrupt one is flagged).
BlockReplica ToBlockReplica(const ReplicaInfo& replica);

}  // namespace cairn::datanode
