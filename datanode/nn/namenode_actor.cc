#include "datanode/nn/namenode_actor.h"

#include <pthread.h>

#include <spdlog/spdlog.h>

#include "common/clock.h"

namespace cairn::datanode {

namespace {
constexpr char kSoftwareVersion[] = "cairn-0.1.0";

VolumeReport ToVolumeReport(const VolumeStatus& v) {
  VolumeReport r;
  r.set_storage_id(v.storage_id);
  r.set_path(v.path);
  r.set_capacity(v.capacity);
  r.set_dfs_used(v.dfs_used);
  r.set_remaining(v.remaining);
  r.set_failed(v.failed);
  if (!v.failure.empty()) r.set_failure(v.failure);
  return r;
}
}  // namespace

NamenodeActor::NamenodeActor(NamenodeActorOptions options, NamenodeClient* client, BlockStore* store,
                             ReportQueue* reports, CommandExecutor* commands, std::function<int()> xceiver_count)
    : options_(std::move(options)),
      client_(client),
      store_(store),
      reports_(reports),
      commands_(commands),
      xceiver_count_(std::move(xceiver_count)) {}

NamenodeActor::~NamenodeActor() { Stop(); }

void NamenodeActor::Start() { thread_ = std::thread([this] { Run(); }); }

void NamenodeActor::Stop() {
  stop_ = true;
  reports_->Wake();
  if (thread_.joinable()) thread_.join();
}

int NamenodeActor::heartbeat_interval_ms() const {
  return options_.heartbeat_interval_ms > 0 ? options_.heartbeat_interval_ms : namenode_heartbeat_ms_;
}

void NamenodeActor::OnCallFailed(const char* what, const Status& st) {
  int64_t now = MonotonicMillis();
  // Unreachable namenodes fail every call: log one line per ten seconds.
  if (now - last_error_log_ms_ > 10000) {
    spdlog::warn("{} to namenode failed: {}", what, st.ToString());
    last_error_log_ms_ = now;
  }
  if (st.code() == ErrorCode::kNotFound || st.code() == ErrorCode::kPermissionDenied) {
    spdlog::info("namenode does not know this datanode ({}); registering again", st.message());
    registered_ = false;
  }
  next_retry_ms_ = now + retry_backoff_ms_;
  retry_backoff_ms_ = std::min<int64_t>(retry_backoff_ms_ * 2, options_.max_retry_backoff_ms);
}

Status NamenodeActor::Register() {
  RegisterDatanodeRequest req;
  auto* id = req.mutable_id();
  id->set_ipaddr(options_.ip_address);
  id->set_hostname(options_.hostname);
  id->set_datanodeuuid(store_->datanode_uuid());
  id->set_xferport(static_cast<uint32_t>(options_.xfer_port));
  id->set_infoport(0);
  id->set_ipcport(static_cast<uint32_t>(options_.ipc_port));
  req.set_software_version(kSoftwareVersion);
  for (const auto& v : store_->Volumes()) *req.add_volumes() = ToVolumeReport(v);
  if (!options_.rack.empty()) req.set_rack_hint(options_.rack);
  ASSIGN_OR_RETURN(RegisterDatanodeResponse resp, client_->Register(req));
  block_pool_id_ = resp.block_pool_id();
  if (!resp.cluster_id().empty() || !resp.block_pool_id().empty()) {
    Status st = store_->AdoptNamespace(resp.cluster_id(), resp.block_pool_id());
    if (!st.ok()) spdlog::error("after registration: {}", st.ToString());
  }
  if (options_.block_keys) options_.block_keys->Adopt(resp.block_keys());
  if (resp.heartbeat_interval_ms() > 0) namenode_heartbeat_ms_ = static_cast<int>(resp.heartbeat_interval_ms());
  spdlog::info("registered with the namenode as {} ({}:{}), cluster {}, rack {}, heartbeat every {} ms",
               store_->datanode_uuid(), options_.ip_address, options_.xfer_port, resp.cluster_id(),
               resp.rack().empty() ? options_.rack : resp.rack(), heartbeat_interval_ms());
  return Status::OK();
}

Status NamenodeActor::SendHeartbeat() {
  HeartbeatRequest req;
  req.set_datanode_uuid(store_->datanode_uuid());
  uint64_t capacity = 0, used = 0, remaining = 0, non_dfs = 0;
  uint32_t failed = 0;
  for (const auto& v : store_->Volumes()) {
    *req.add_volumes() = ToVolumeReport(v);
    if (v.failed) {
      ++failed;
      continue;
    }
    capacity += v.capacity;
    used += v.dfs_used;
    remaining += v.remaining;
    non_dfs += v.non_dfs_used;
  }
  req.set_capacity(capacity);
  req.set_dfs_used(used);
  req.set_remaining(remaining);
  req.set_non_dfs_used(non_dfs);
  req.set_xceiver_count(static_cast<uint32_t>(xceiver_count_ ? xceiver_count_() : 0));
  req.set_failed_volumes(failed);
  *req.mutable_resources() = options_.resources;
  if (options_.block_keys) req.set_block_keys_version(options_.block_keys->version());
  ASSIGN_OR_RETURN(HeartbeatResponse resp, client_->Heartbeat(req));
  ++heartbeats_;
  if (resp.reregister()) {
    spdlog::info("namenode asks this datanode to register again");
    registered_ = false;
    return Status::OK();
  }
  if (resp.send_full_report()) need_full_report_ = true;
  if (resp.has_block_keys() && options_.block_keys) options_.block_keys->Adopt(resp.block_keys());
  for (const auto& c : resp.commands()) commands_->Execute(c);
  return Status::OK();
}

Status NamenodeActor::SendFullReport() {
  // Events queued so far are covered by the report (its snapshot is taken after them);
  // later ones stay queued and follow it.
  auto superseded = reports_->Take();
  BlockReportRequest req;
  req.set_datanode_uuid(store_->datanode_uuid());
  for (const auto& r : store_->ListReplicas()) *req.add_replicas() = ToBlockReplica(r);
  Status st = client_->BlockReport(req);
  if (!st.ok()) {
    reports_->PutBack(std::move(superseded));
    return st;
  }
  ++full_reports_;
  spdlog::info("sent a full block report of {} replicas", req.replicas_size());
  return Status::OK();
}

Status NamenodeActor::SendIncrementalReport() {
  auto events = reports_->Take();
  if (events.empty()) return Status::OK();
  IncrementalBlockReportRequest req;
  req.set_datanode_uuid(store_->datanode_uuid());
  for (auto& e : events) *req.add_blocks() = e;
  Status st = client_->BlockReceivedAndDeleted(req);
  if (!st.ok()) reports_->PutBack(std::move(events));
  return st;
}

Status NamenodeActor::SendBadBlockReports() {
  auto bad = reports_->TakeBadReplicas();
  for (size_t i = 0; i < bad.size(); ++i) {
    ReportBadBlocksRequest req;
    req.set_datanode_uuid(store_->datanode_uuid());
    auto* b = req.add_blocks();
    b->set_poolid(block_pool_id_);
    b->set_blockid(bad[i].replica.block_id());
    b->set_generationstamp(bad[i].replica.gen_stamp());
    b->set_numbytes(bad[i].replica.num_bytes());
    req.set_reason(bad[i].reason);
    Status st = client_->ReportBadBlocks(req);
    if (!st.ok()) {
      reports_->PutBackBadReplicas({bad.begin() + static_cast<std::ptrdiff_t>(i), bad.end()});
      return st;
    }
    spdlog::info("reported corrupt replica blk_{}_{} to the namenode", static_cast<int64_t>(b->blockid()),
                 b->generationstamp());
  }
  return Status::OK();
}

void NamenodeActor::Run() {
  pthread_setname_np(pthread_self(), "dn-actor");
  while (!stop_) {
    int64_t now = MonotonicMillis();
    int64_t wake = now + heartbeat_interval_ms();
    if (now < next_retry_ms_) {
      reports_->WaitUntil(next_retry_ms_);
      continue;
    }
    if (!registered_) {
      Status st = Register();
      if (!st.ok()) {
        OnCallFailed("registration", st);
        continue;
      }
      registered_ = true;
      need_full_report_ = true;
      next_heartbeat_ms_ = now;
      retry_backoff_ms_ = 100;
    }
    if (reports_->TakeFullReportRequest()) need_full_report_ = true;
    if (need_full_report_ || now >= next_full_report_ms_) {
      Status st = SendFullReport();
      if (!st.ok()) {
        need_full_report_ = true;
        OnCallFailed("full block report", st);
        continue;
      }
      need_full_report_ = false;
      next_full_report_ms_ = now + options_.block_report_interval_ms;
    }
    if (reports_->has_bad_replicas()) {
      Status st = SendBadBlockReports();
      if (!st.ok()) {
        OnCallFailed("bad block report", st);
        continue;
      }
    }
    int64_t oldest = reports_->oldest_ms();
    if (oldest >= 0) {
      int64_t due = oldest + options_.ibr_delay_ms;
      if (now >= due) {
        Status st = SendIncrementalReport();
        if (!st.ok()) {
          OnCallFailed("incremental block report", st);
          continue;
        }
      } else {
        wake = std::min(wake, due);
      }
    }
    if (now >= next_heartbeat_ms_) {
      Status st = SendHeartbeat();
      next_heartbeat_ms_ = now + heartbeat_interval_ms();
      if (!st.ok()) {
        OnCallFailed("heartbeat", st);
        continue;
      }
      retry_backoff_ms_ = 100;
      if (!registered_) continue;
    }
    wake = std::min({wake, next_heartbeat_ms_, next_full_report_ms_});
    reports_->WaitUntil(wake);
  }
}

}  // namespace cairn::datanode
