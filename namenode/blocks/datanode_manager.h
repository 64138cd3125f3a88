// DatanodeManager: every datanode the namenode has heard of (HDFS's DatanodeManager +
// HeartbeatManager). It registers nodes (rack from the topology file, else the node's own
// hint, else /default-rack), records heartbeat statistics, declares nodes dead after
// dead_interval_ms of silence, and keeps each node's queue of commands (re-replications,
// block recoveries, block deletions) that heartbeat replies drain a bounded number at a
// time. It also holds each node's administrative state (normal, decommission in progress,
// decommissioned) and the failed volumes its heartbeats report. Addresses set to
// decommission before their node registers (after a namenode restart) take effect at
// registration.
//
// Nodes get a small index on first registration that never changes or gets reused;
// the block manager names replicas by it. Descriptors are never deleted (a dead node keeps
// its slot so it can come back).
//
// Thread-safety: all functions may be called from any thread; mu_ guards the descriptors.
// Lock order: block manager lock, then this one. (The block manager keeps its own copy of
// which nodes are alive, so counting replicas never takes this lock.)
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "cairn/datanode_protocol.pb.h"
#include "common/clock.h"
#include "common/status.h"
#include "hadoop/ClientNamenodeProtocol.pb.h"
#include "namenode/blocks/topology.h"

namespace cairn::namenode {

// A copy of what placement and sorting need about one node.
enum class AdminState : uint8_t { kNormal, kDecommissioning, kDecommissioned };
std::string_view AdminStateName(AdminState state);  // HDFS's: NORMAL, DECOMMISSION_INPROGRESS, DECOMMISSIONED

struct NodeView {
  uint32_t index = 0;
  std::string ip;
  std::string host;
  std::string uuid;
  int xfer_port = 0;
  std::string rack;
  uint64_t capacity = 0;
  uint64_t remaining = 0;
  uint32_t xceivers = 0;
  bool alive = false;
  bool decommissioning = false;  // decommission in progress or done: takes no new replicas
  bool stale = false;
  int64_t last_heartbeat_ms = 0;  // monotonic
};

struct DatanodeManagerOptions {
  std::string block_pool_id;       // names blocks in commands
  int64_t dead_interval_ms = 630000;
  int64_t stale_interval_ms = 30000;  // a node silent this long is stale (sorted last, not chosen)
  int invalidate_limit = 1000;     // block deletions per heartbeat reply
  int max_commands = 100;          // other commands per heartbeat reply
  const Clock* clock = &SystemClock();  // times heartbeats and liveness (tests: a ManualClock)
};

class DatanodeManager {
 public:
  DatanodeManager(DatanodeManagerOptions options, Topology topology);
  ~DatanodeManager();

  struct Registration {
    uint32_t index = 0;
    std::string rack;
    std::optional<uint32_t> replaced;  // another node that had this address; now dead
    bool was_alive = false;            // the node was registered and alive already
    AdminState admin = AdminState::kNormal;
  };
  // peer_ip replaces an unset or wildcard ipAddr. A live node's uuid registering again
  // from another address is kPermissionDenied.
  Result<Registration> Register(const RegisterDatanodeRequest& req, const std::string& peer_ip);

  // Records a heartbeat and fills the reply's commands. False (and reregister set) when
  // the node is unknown or was declared dead: it must register and report again.
  bool Heartbeat(const HeartbeatRequest& req, HeartbeatResponse* resp);

  // Index of a registered, live node.
  std::optional<uint32_t> Lookup(std::string_view uuid) const;
  // The same for a call made as that node: kNotFound when it is not registered and live,
  // kPermissionDenied when the call comes from another address than its registration did
  // (until daemons carry certificates, the address is what a stranger cannot fake).
  Result<uint32_t> CheckCaller(std::string_view uuid, const std::string& peer_ip) const;
  // Whether some live datanode registered from this address.
  bool IsRegisteredPeer(const std::string& peer_ip) const;
  // Declares silent nodes dead; returns the indices that died now.
  std::vector<uint32_t> CheckLiveness();
  // Marks one node dead at once (its address was taken over by a new registration).
  void MarkDead(uint32_t index);

  void QueueReplicate(uint32_t index, ReplicateCommand cmd);
  void QueueRecover(uint32_t index, RecoverBlockCommand cmd);
  void QueueInvalidate(uint32_t index, uint64_t block_id, uint64_t gen_stamp, uint64_t num_bytes);
  size_t PendingInvalidations() const;

  std::vector<NodeView> Snapshot() const;
  std::optional<NodeView> View(uint32_t index) const;
  // Fills a DatanodeInfoProto (every required field) for the node.
  void FillInfo(uint32_t index, hadoop::hdfs::DatanodeInfoProto* out) const;
  std::string StorageId(uint32_t index) const;
  void Report(hadoop::hdfs::DatanodeReportTypeProto type, hadoop::hdfs::GetDatanodeReportResponseProto* resp) const;
  // Rack of a client address: its datanode's rack if it is one, else the topology file's.
  std::string RackOfAddress(const std::string& ip) const;

  struct Totals {
    uint64_t capacity = 0, used = 0, remaining = 0, non_dfs_used = 0;
    uint32_t live = 0, dead = 0;
  };
  Totals GetTotals() const;

  void SetNumBlocks(uint32_t index, size_t n);
  void NoteBlockReport(uint32_t index);

  // --- Administration -------------------------------------------------------------------
  // Index of the node registered at "ip:xferPort" or "hostname:xferPort", alive or not.
  std::optional<uint32_t> FindByAddress(std::string_view host_port) const;
  AdminState GetAdminState(uint32_t index) const;
  void SetAdminState(uint32_t index, AdminState state);
  // Addresses (ip:xferPort) whose nodes are to be decommissioned when they register.
  void SetPendingDecommission(std::vector<std::string> addresses);
  // ip:xferPort of every node not in the normal state (what the namenode persists).
  std::vector<std::string> DecommissionedAddresses() const;
  std::vector<uint32_t> NodesIn(AdminState state) const;
  struct VolumeFailures {
    uint32_t failed = 0;
    std::vector<std::string> details;  // "path: reason"
  };
  VolumeFailures FailedVolumes(uint32_t index) const;

 private:
  struct Descriptor;
  Descriptor* FindLocked(std::string_view uuid) const;
  NodeView ViewLocked(const Descriptor& d, int64_t now) const;
  void FillInfoLocked(const Descriptor& d, hadoop::hdfs::DatanodeInfoProto* out) const;
  void FillExtendedBlock(uint64_t id, uint64_t gs, uint64_t len, hadoop::hdfs::ExtendedBlockProto* out) const;

  const DatanodeManagerOptions options_;
  const Topology topology_;

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Descriptor>> nodes_;        // guarded by mu_; index = position
  std::unordered_map<std::string, uint32_t> by_uuid_;     // guarded by mu_
  std::unordered_map<std::string, uint32_t> by_address_;  // guarded by mu_: "ip:xferPort" -> index
  std::unordered_map<std::string, std::string> rack_by_ip_;  // guarded by mu_: last registration wins
  std::unordered_set<std::string> pending_decommission_;     // guarded by mu_: ip:xferPort
};

}  // namespace cairn::namenode
