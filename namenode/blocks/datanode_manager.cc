#include "namenode/blocks/datanode_manager.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "common/clock.h"

namespace cairn::namenode {

struct DatanodeManager::Descriptor {
  uint32_t index = 0;
  hadoop::hdfs::DatanodeIDProto id;
  std::string peer_ip;  // where its registration came from; its later calls must too
  std::string rack;
  std::string storage_id;
  uint64_t capacity = 0, dfs_used = 0, remaining = 0, non_dfs_used = 0;
  uint32_t xceivers = 0;
  int64_t last_heartbeat_mono = 0;
  int64_t last_update_wall = 0;
  int64_t last_report_wall = 0;
  int64_t last_report_mono = 0;
  std::atomic<bool> alive{false};
  std::atomic<uint32_t> num_blocks{0};
  std::deque<DatanodeCommand> commands;  // re-replications waiting for a heartbeat
  std::vector<hadoop::hdfs::ExtendedBlockProto> invalidate;  // deletions waiting for a heartbeat
  std::unordered_set<uint64_t> invalidate_ids;                // the same, for de-duplication
  AdminState admin = AdminState::kNormal;
  VolumeFailures volume_failures;                             // from the last heartbeat
};

std::string_view AdminStateName(AdminState state) {
  switch (state) {
    case AdminState::kNormal: return "NORMAL";
    case AdminState::kDecommissioning: return "DECOMMISSION_INPROGRESS";
    case AdminState::kDecommissioned: return "DECOMMISSIONED";
  }
  return "NORMAL";
}

DatanodeManager::DatanodeManager(DatanodeManagerOptions options, Topology topology)
    : options_(std::move(options)), topology_(std::move(topology)) {}

DatanodeManager::~DatanodeManager() = default;

namespace {
bool IsWildcard(const std::string& ip) { return ip.empty() || ip == "0.0.0.0" || ip == "::"; }

void ApplyStats(uint64_t capacity, uint64_t used, uint64_t remaining, uint64_t non_dfs, uint64_t* c, uint64_t* u,
                uint64_t* r, uint64_t* n) {
  *c = capacity;
  *u = used;
  *r = remaining;
  *n = non_dfs;
}
}  // namespace

DatanodeManager::Descriptor* DatanodeManager::FindLocked(std::string_view uuid) const {
  auto it = by_uuid_.find(std::string(uuid));
  return it == by_uuid_.end() ? nullptr : nodes_[it->second].get();
}

Result<DatanodeManager::Registration> DatanodeManager::Register(const RegisterDatanodeRequest& req,
                                                                const std::string& peer_ip) {
  if (!req.has_id()) return InvalidArgument("registration carries no datanode id");
  hadoop::hdfs::DatanodeIDProto id = req.id();
  if (id.datanodeuuid().empty()) return InvalidArgument("registration carries no datanode uuid");
  if (id.xferport() == 0 || id.xferport() > 65535) return InvalidArgument("registration carries no transfer port");
  if (IsWildcard(id.ipaddr())) id.set_ipaddr(peer_ip);
  if (id.ipaddr().empty()) return InvalidArgument("registration carries no usable ip address");
  if (id.hostname().empty()) id.set_hostname(id.ipaddr());

  Registration out;
  std::string rack = topology_.RackOf(id.ipaddr(), id.hostname(), static_cast<int>(id.xferport()));
  if (rack.empty()) rack = NormalizeRack(req.rack_hint());
  if (rack.empty()) rack = kDefaultRack;
  const std::string address = id.ipaddr() + ":" + std::to_string(id.xferport());

  std::lock_guard lock(mu_);
  Descriptor* d = FindLocked(id.datanodeuuid());
  if (d == nullptr) {
    auto fresh = std::make_unique<Descriptor>();
    fresh->index = static_cast<uint32_t>(nodes_.size());
    d = fresh.get();
    nodes_.push_back(std::move(fresh));
    by_uuid_[id.datanodeuuid()] = d->index;
  } else {
    out.was_alive = d->alive.load();
    // A live node's identity is not for the taking: a registration with its uuid from
    // elsewhere is refused until the node is dead (HDFS would move the node instead).
    const std::string known = d->id.ipaddr() + ":" + std::to_string(d->id.xferport());
    if (out.was_alive && (known != address || (!peer_ip.empty() && !d->peer_ip.empty() && peer_ip != d->peer_ip)))
      return PermissionDenied("datanode {} is alive at {} (registered from {}); a registration from {} as {} cannot "
                              "take it over",
                              id.datanodeuuid(), known, d->peer_ip, peer_ip, address);
    by_address_.erase(known);
  }
  // A different node registered at this address before (the datanode was reformatted):
  // the old identity is gone for good.
  if (auto it = by_address_.find(address); it != by_address_.end() && it->second != d->index) {
    Descriptor* old = nodes_[it->second].get();
    if (old->alive.exchange(false)) out.replaced = old->index;
    old->commands.clear();
    old->invalidate.clear();
    old->invalidate_ids.clear();
  }
  by_address_[address] = d->index;
  rack_by_ip_[id.ipaddr()] = rack;
  d->id = id;
  d->peer_ip = peer_ip;
  d->rack = rack;
  uint64_t capacity = 0, used = 0, remaining = 0;
  d->storage_id.clear();
  for (const auto& v : req.volumes()) {
    if (d->storage_id.empty()) d->storage_id = v.storage_id();
    if (v.failed()) continue;
    capacity += v.capacity();
    used += v.dfs_used();
    remaining += v.remaining();
  }
  if (d->storage_id.empty()) d->storage_id = "DS-" + id.datanodeuuid();
  if (pending_decommission_.erase(address) && d->admin == AdminState::kNormal) {
    d->admin = AdminState::kDecommissioning;
    spdlog::info("datanode {} ({}) resumes its decommission", id.datanodeuuid(), address);
  }
  out.admin = d->admin;
  ApplyStats(capacity, used, remaining, 0, &d->capacity, &d->dfs_used, &d->remaining, &d->non_dfs_used);
  d->last_heartbeat_mono = options_.clock->MonotonicMillis();
  d->last_update_wall = options_.clock->WallMillis();
  // Commands queued for an earlier incarnation no longer apply: it reports afresh.
  d->commands.clear();
  d->invalidate.clear();
  d->invalidate_ids.clear();
  d->alive.store(true);
  out.index = d->index;
  out.rack = rack;
  spdlog::info("datanode {} registered: {}:{} ({}) rack {}", id.datanodeuuid(), id.ipaddr(), id.xferport(),
               id.hostname(), rack);
  return out;
}

bool DatanodeManager::Heartbeat(const HeartbeatRequest& req, HeartbeatResponse* resp) {
  std::lock_guard lock(mu_);
  Descriptor* d = FindLocked(req.datanode_uuid());
  if (d == nullptr || !d->alive.load()) {
    resp->set_reregister(true);
    return false;
  }
  ApplyStats(req.capacity(), req.dfs_used(), req.remaining(), req.non_dfs_used(), &d->capacity, &d->dfs_used,
             &d->remaining, &d->non_dfs_used);
  d->xceivers = req.xceiver_count();
  d->volume_failures = {};
  for (const auto& v : req.volumes()) {
    if (!v.failed()) continue;
    ++d->volume_failures.failed;
    d->volume_failures.details.push_back(fmt::format("{}: {}", v.path(), v.failure()));
  }
  d->last_heartbeat_mono = options_.clock->MonotonicMillis();
  d->last_update_wall = options_.clock->WallMillis();
  for (int n = 0; n < options_.max_commands && !d->commands.empty(); ++n) {
    *resp->add_commands() = std::move(d->commands.front());
    d->commands.pop_front();
  }
  if (!d->invalidate.empty()) {
    DeleteCommand* del = resp->add_commands()->mutable_delete_();
    size_t n = std::min<size_t>(d->invalidate.size(), static_cast<size_t>(options_.invalidate_limit));
    for (size_t i = 0; i < n; ++i) {
      d->invalidate_ids.erase(d->invalidate[i].blockid());
      *del->add_blocks() = std::move(d->invalidate[i]);
    }
    d->invalidate.erase(d->invalidate.begin(), d->invalidate.begin() + static_cast<std::ptrdiff_t>(n));
  }
  return true;
}

Result<uint32_t> DatanodeManager::CheckCaller(std::string_view uuid, const std::string& peer_ip) const {
  std::lock_guard lock(mu_);
  Descriptor* d = FindLocked(uuid);
  if (d == nullptr || !d->alive.load())
    return NotFound("datanode {} is not registered (or was declared dead); register again", uuid);
  if (!peer_ip.empty() && !d->peer_ip.empty() && peer_ip != d->peer_ip)
    return PermissionDenied("a call as datanode {} came from {}, but that node registered from {}", uuid, peer_ip,
                            d->peer_ip);
  return d->index;
}

bool DatanodeManager::IsRegisteredPeer(const std::string& peer_ip) const {
  std::lock_guard lock(mu_);
  for (const auto& d : nodes_)
    if (d->alive.load() && d->peer_ip == peer_ip) return true;
  return false;
}

std::optional<uint32_t> DatanodeManager::Lookup(std::string_view uuid) const {
  std::lock_guard lock(mu_);
  Descriptor* d = FindLocked(uuid);
  if (d == nullptr || !d->alive.load()) return std::nullopt;
  return d->index;
}

std::vector<uint32_t> DatanodeManager::CheckLiveness() {
  std::vector<uint32_t> died;
  int64_t now = options_.clock->MonotonicMillis();
  std::lock_guard lock(mu_);
  for (auto& d : nodes_) {
    if (d->alive.load() && now - d->last_heartbeat_mono > options_.dead_interval_ms) {
      d->alive.store(false);
      d->commands.clear();
      d->invalidate.clear();
      d->invalidate_ids.clear();
      died.push_back(d->index);
      spdlog::warn("datanode {} ({}:{}) is dead: no heartbeat for {} ms", d->id.datanodeuuid(), d->id.ipaddr(),
                   d->id.xferport(), now - d->last_heartbeat_mono);
    }
  }
  return died;
}

void DatanodeManager::MarkDead(uint32_t index) {
  std::lock_guard lock(mu_);
  if (index < nodes_.size()) nodes_[index]->alive.store(false);
}

void DatanodeManager::QueueReplicate(uint32_t index, ReplicateCommand cmd) {
  std::lock_guard lock(mu_);
  if (index >= nodes_.size() || !nodes_[index]->alive.load()) return;
  *nodes_[index]->commands.emplace_back().mutable_replicate() = std::move(cmd);
}

void DatanodeManager::QueueRecover(uint32_t index, RecoverBlockCommand cmd) {
  std::lock_guard lock(mu_);
  if (index >= nodes_.size() || !nodes_[index]->alive.load()) return;
  *nodes_[index]->commands.emplace_back().mutable_recover() = std::move(cmd);
}

void DatanodeManager::FillExtendedBlock(uint64_t id, uint64_t gs, uint64_t len,
                                        hadoop::hdfs::ExtendedBlockProto* out) const {
  out->set_poolid(options_.block_pool_id);
  out->set_blockid(id);
  out->set_generationstamp(gs);
  out->set_numbytes(len);
}

void DatanodeManager::QueueInvalidate(uint32_t index, uint64_t block_id, uint64_t gen_stamp, uint64_t num_bytes) {
  std::lock_guard lock(mu_);
  if (index >= nodes_.size() || !nodes_[index]->alive.load()) return;
  Descriptor& d = *nodes_[index];
  if (!d.invalidate_ids.insert(block_id).second) return;
  FillExtendedBlock(block_id, gen_stamp, num_bytes, &d.invalidate.emplace_back());
}

size_t DatanodeManager::PendingInvalidations() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& d : nodes_) n += d->invalidate.size();
  return n;
}

NodeView DatanodeManager::ViewLocked(const Descriptor& d, int64_t now) const {
  NodeView v;
  v.index = d.index;
  v.ip = d.id.ipaddr();
  v.host = d.id.hostname();
  v.uuid = d.id.datanodeuuid();
  v.xfer_port = static_cast<int>(d.id.xferport());
  v.rack = d.rack;
  v.capacity = d.capacity;
  v.remaining = d.remaining;
  v.xceivers = d.xceivers;
  v.alive = d.alive.load();
  v.decommissioning = d.admin != AdminState::kNormal;
  v.stale = now - d.last_heartbeat_mono > options_.stale_interval_ms;
  v.last_heartbeat_ms = d.last_heartbeat_mono;
  return v;
}

std::vector<NodeView> DatanodeManager::Snapshot() const {
  int64_t now = options_.clock->MonotonicMillis();
  std::lock_guard lock(mu_);
  std::vector<NodeView> out;
  out.reserve(nodes_.size());
  for (const auto& d : nodes_) out.push_back(ViewLocked(*d, now));
  return out;
}

std::optional<NodeView> DatanodeManager::View(uint32_t index) const {
  int64_t now = options_.clock->MonotonicMillis();
  std::lock_guard lock(mu_);
  if (index >= nodes_.size()) return std::nullopt;
  return ViewLocked(*nodes_[index], now);
}

void DatanodeManager::FillInfoLocked(const Descriptor& d, hadoop::hdfs::DatanodeInfoProto* out) const {
  *out->mutable_id() = d.id;
  out->set_capacity(d.capacity);
  out->set_dfsused(d.dfs_used);
  out->set_remaining(d.remaining);
  out->set_blockpoolused(d.dfs_used);
  out->set_lastupdate(static_cast<uint64_t>(d.last_update_wall));
  out->set_lastupdatemonotonic(static_cast<uint64_t>(d.last_heartbeat_mono));
  out->set_xceivercount(d.xceivers);
  out->set_location(d.rack);
  out->set_nondfsused(d.non_dfs_used);
  switch (d.admin) {
    case AdminState::kNormal: out->set_adminstate(hadoop::hdfs::DatanodeInfoProto::NORMAL); break;
    case AdminState::kDecommissioning: out->set_adminstate(hadoop::hdfs::DatanodeInfoProto::DECOMMISSION_INPROGRESS); break;
    case AdminState::kDecommissioned: out->set_adminstate(hadoop::hdfs::DatanodeInfoProto::DECOMMISSIONED); break;
  }
  out->set_lastblockreporttime(static_cast<uint64_t>(d.last_report_wall));
  out->set_lastblockreportmonotonic(static_cast<uint64_t>(d.last_report_mono));
  out->set_numblocks(d.num_blocks.load());
}

void DatanodeManager::FillInfo(uint32_t index, hadoop::hdfs::DatanodeInfoProto* out) const {
  std::lock_guard lock(mu_);
  if (index < nodes_.size()) FillInfoLocked(*nodes_[index], out);
}

std::string DatanodeManager::StorageId(uint32_t index) const {
  std::lock_guard lock(mu_);
  return index < nodes_.size() ? nodes_[index]->storage_id : std::string();
}

void DatanodeManager::Report(hadoop::hdfs::DatanodeReportTypeProto type,
                             hadoop::hdfs::GetDatanodeReportResponseProto* resp) const {
  std::lock_guard lock(mu_);
  for (const auto& d : nodes_) {
    bool alive = d->alive.load();
    bool wanted = type == hadoop::hdfs::ALL || (type == hadoop::hdfs::LIVE && alive) ||
                  (type == hadoop::hdfs::DEAD && !alive) ||
                  (type == hadoop::hdfs::DECOMMISSIONING && d->admin == AdminState::kDecommissioning);
    if (wanted) FillInfoLocked(*d, resp->add_di());
  }
}

std::string DatanodeManager::RackOfAddress(const std::string& ip) const {
  {
    std::lock_guard lock(mu_);
    auto it = rack_by_ip_.find(ip);
    if (it != rack_by_ip_.end()) return it->second;
  }
  return topology_.RackOf(ip, ip, 0);
}

DatanodeManager::Totals DatanodeManager::GetTotals() const {
  Totals t;
  std::lock_guard lock(mu_);
  for (const auto& d : nodes_) {
    if (!d->alive.load()) {
      ++t.dead;
      continue;
    }
    ++t.live;
    t.capacity += d->capacity;
    t.used += d->dfs_used;
    t.remaining += d->remaining;
    t.non_dfs_used += d->non_dfs_used;
  }
  return t;
}

void DatanodeManager::SetNumBlocks(uint32_t index, size_t n) {
  std::lock_guard lock(mu_);
  if (index < nodes_.size()) nodes_[index]->num_blocks.store(static_cast<uint32_t>(n));
}

void DatanodeManager::NoteBlockReport(uint32_t index) {
  std::lock_guard lock(mu_);
  if (index >= nodes_.size()) return;
  nodes_[index]->last_report_wall = options_.clock->WallMillis();
  nodes_[index]->last_report_mono = options_.clock->MonotonicMillis();
}

std::optional<uint32_t> DatanodeManager::FindByAddress(std::string_view host_port) const {
  std::lock_guard lock(mu_);
  for (const auto& d : nodes_) {
    const std::string port = ":" + std::to_string(d->id.xferport());
    if (host_port == d->id.ipaddr() + port || host_port == d->id.hostname() + port) return d->index;
  }
  return std::nullopt;
}

AdminState DatanodeManager::GetAdminState(uint32_t index) const {
  std::lock_guard lock(mu_);
  return index < nodes_.size() ? nodes_[index]->admin : AdminState::kNormal;
}

void DatanodeManager::SetAdminState(uint32_t index, AdminState state) {
  std::lock_guard lock(mu_);
  if (index >= nodes_.size() || nodes_[index]->admin == state) return;
  Descriptor& d = *nodes_[index];
  spdlog::info("datanode {} ({}:{}): {} -> {}", d.id.datanodeuuid(), d.id.ipaddr(), d.id.xferport(),
               AdminStateName(d.admin), AdminStateName(state));
  d.admin = state;
}

void DatanodeManager::SetPendingDecommission(std::vector<std::string> addresses) {
  std::lock_guard lock(mu_);
  pending_decommission_ = {addresses.begin(), addresses.end()};
}

std::vector<std::string> DatanodeManager::DecommissionedAddresses() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out(pending_decommission_.begin(), pending_decommission_.end());
  for (const auto& d : nodes_) {
    if (d->admin != AdminState::kNormal) out.push_back(d->id.ipaddr() + ":" + std::to_string(d->id.xferport()));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<uint32_t> DatanodeManager::NodesIn(AdminState state) const {
  std::lock_guard lock(mu_);
  std::vector<uint32_t> out;
  for (const auto& d : nodes_) {
    if (d->admin == state) out.push_back(d->index);
  }
  return out;
}

DatanodeManager::VolumeFailures DatanodeManager::FailedVolumes(uint32_t index) const {
  std::lock_guard lock(mu_);
  return index < nodes_.size() ? nodes_[index]->volume_failures : VolumeFailures{};
}

}  // namespace cairn::namenode
