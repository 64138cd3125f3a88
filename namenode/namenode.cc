#include "namenode/namenode.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <spdlog/spdlog.h>

#include "common/auth_to_local.h"
#include "common/clock.h"
#include "common/gssapi.h"
#include "namenode/ops/lease_recovery.h"
#include "namenode/ops/ops.h"
#include "namenode/store/keys.h"

namespace cairn::namenode {

Result<std::unique_ptr<Namenode>> Namenode::Create(NamenodeSettings settings) {
  std::unique_ptr<Namenode> nn(new Namenode(std::move(settings)));
  RETURN_IF_ERROR(nn->Init());
  return nn;
}

Namenode::~Namenode() { Stop(); }

Status Namenode::Init() {
  const NamenodeSettings& s = settings_;
  ASSIGN_OR_RETURN(Topology topology, Topology::Load(s.topology_file));
  ASSIGN_OR_RETURN(groups_, UserGroupResolver::Create(s.user_groups));
  NamespaceOptions nso{s.name_dir, s.superuser, s.supergroup};
  nso.fault_sync_fail_file = s.fault_namespace_sync_fail_file;
  nso.on_store_failure = [this](const Status& st) {
    // What changed in memory can no longer be made durable: stop rather than run on
    // read-only. A restart replays the write-ahead log, which holds every acknowledged
    // change (an unacknowledged one may or may not be there).
    spdlog::critical("the namespace store failed a write ({}); the namenode shuts down, and a restart recovers every "
                     "acknowledged change",
                     st.ToString());
    store_failed_ = true;
    if (on_store_failure_) on_store_failure_();
  };
  ASSIGN_OR_RETURN(ns_, Namespace::Open(nso));
  DatanodeManagerOptions dm;
  dm.block_pool_id = ns_->block_pool_id();
  dm.dead_interval_ms = s.datanode_dead_interval_ms;
  dm.stale_interval_ms = std::min<int64_t>(10LL * s.heartbeat_interval_ms, s.datanode_dead_interval_ms);
  dm.invalidate_limit = s.block_invalidate_limit;
  datanodes_ = std::make_unique<DatanodeManager>(dm, std::move(topology));
  BlockManagerOptions bm;
  bm.block_pool_id = ns_->block_pool_id();
  bm.min_replication = s.min_replication;
  bm.max_replication_streams = s.max_replication_streams;
  bm.replication_timeout_ms = s.replication_timeout_ms;
  blocks_ = std::make_unique<BlockManager>(bm, *datanodes_, placement_);
  leases_ = std::make_unique<LeaseManager>(s.lease_soft_limit_ms, s.lease_hard_limit_ms);
  safe_mode_ = std::make_unique<SafeMode>(s.safemode_threshold, s.safemode_extension_ms, *blocks_);
  BlockKeyRingOptions ko;
  ko.tokens_enabled = s.block_access_tokens;
  ko.key_update_interval_ms = s.block_key_update_interval_ms;
  ko.token_lifetime_ms = s.block_token_lifetime_ms;
  block_keys_ = std::make_unique<BlockKeyRing>(ko);
  block_keys_->RollIfDue(WallMillis());
  DelegationTokenOptions dto;
  dto.key_update_interval_ms = s.delegation_key_update_interval_ms;
  dto.renew_interval_ms = s.delegation_token_renew_interval_ms;
  dto.max_lifetime_ms = s.delegation_token_max_lifetime_ms;
  delegation_tokens_ = std::make_unique<DelegationTokenManager>(dto, [this](const std::string& record) {
    return ns_->Mutate([&](Mutation& m) {
      m.PutMeta(kMetaDelegationTokens, record);
      return Status::OK();
    });
  });
  ASSIGN_OR_RETURN(std::optional<std::string> tokens, ns_->ReadMeta(kMetaDelegationTokens));
  RETURN_IF_ERROR(delegation_tokens_->Load(tokens));
  if (s.security.kerberos()) {
    ASSIGN_OR_RETURN(AuthToLocal rules, NamenodeAuthToLocal(s));
    auth_to_local_ = std::make_shared<const AuthToLocal>(std::move(rules));
    auto proxies = ProxyUsers::Parse(s.proxy_users);
    if (!proxies.ok()) return proxies.status().WithContext("--namenode_proxy_users");
    proxy_users_ = std::make_unique<ProxyUsers>(std::move(*proxies));
  }
  name_system_ = std::unique_ptr<NameSystem>(new NameSystem{settings_, *ns_, *blocks_, *datanodes_, *leases_,
                                                            *safe_mode_, placement_, *block_keys_,
                                                            *delegation_tokens_, auth_to_local_.get(),
                                                            proxy_users_.get()});
  RebuildFromNamespace();
  RETURN_IF_ERROR(LoadDatanodeAdmin());
  RegisterClientOperations(*name_system_, &methods_);
  return Status::OK();
}

Status Namenode::LoadDatanodeAdmin() {
  ASSIGN_OR_RETURN(std::optional<std::string> stored, ns_->ReadMeta(kMetaDatanodeAdmin));
  if (!stored) return Status::OK();
  DatanodeAdminRecord rec;
  if (!rec.ParseFromString(*stored)) return Corruption("the stored list of decommissioned datanodes is malformed");
  datanodes_->SetPendingDecommission({rec.decommissioned().begin(), rec.decommissioned().end()});
  if (rec.decommissioned_size() > 0)
    spdlog::info("{} datanode(s) stay decommissioned (or decommissioning) once they register",
                 rec.decommissioned_size());
  return Status::OK();
}

void Namenode::CheckDecommissions() {
  for (uint32_t node : datanodes_->NodesIn(AdminState::kDecommissioning)) {
    BlockManager::DecommissionProgress p = blocks_->Decommission(node);
    if (p.pending > 0) continue;
    datanodes_->SetAdminState(node, AdminState::kDecommissioned);
    spdlog::info("datanode {} is decommissioned: all of its {} blocks have enough replicas elsewhere", node, p.blocks);
  }
}

void Namenode::RebuildFromNamespace() {
  size_t files = 0, blocks = 0, open = 0;
  ns_->Read([&](const InodeTree& tree) {
    tree.ForEach([&](const Inode& inode) {
      if (!inode.is_file()) return;
      ++files;
      const auto& list = inode.rec.blocks();
      for (int i = 0; i < list.size(); ++i) {
        const bool open_block = inode.under_construction() && i + 1 == list.size();
        blocks_->AddBlock(list[i].block_id(), inode.id(), list[i].gen_stamp(), list[i].num_bytes(),
                          inode.rec.replication(), open_block ? BlockState::kUnderConstruction : BlockState::kComplete);
        ++blocks;
      }
      if (inode.under_construction()) {
        leases_->Add(inode.lease_holder(), inode.id());
        ++open;
      }
    });
  });
  spdlog::info("block map rebuilt: {} files, {} blocks, {} files open for writing", files, blocks, open);
}

Status Namenode::WritePortFile() const {
  if (settings_.port_file.empty()) return Status::OK();
  const std::string tmp = settings_.port_file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "rpc_port=" << rpc_port() << "\nipc_port=" << ipc_port() << "\n";
    out.flush();
    if (!out) return IoError("cannot write port file {}", tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, settings_.port_file, ec);
  if (ec) return IoError("cannot rename {} to {}: {}", tmp, settings_.port_file, ec.message());
  return Status::OK();
}

Status Namenode::Start() {
  rpc_ = std::make_unique<RpcServer>(*name_system_, methods_, *groups_);
  RETURN_IF_ERROR(rpc_->Start(settings_.bind_host, settings_.rpc_port));
  if (settings_.ipc_port >= 0) {
    ipc::IpcSettings ipc_settings;
    ipc_settings.reader_threads = settings_.ipc_reader_threads;
    ipc_settings.handler_threads = settings_.ipc_handler_threads;
    ipc_settings.call_queue_size = static_cast<size_t>(settings_.ipc_queue_size);
    ipc_settings.max_connections = settings_.ipc_max_connections;
    ipc_settings.max_connections_per_address = settings_.ipc_max_connections_per_address;
    ipc_settings.max_calls_per_connection = settings_.ipc_max_calls_per_connection;
    ipc_settings.max_reply_bytes_buffered = static_cast<size_t>(settings_.ipc_max_reply_buffer.bytes);
    ipc_settings.request_timeout_ms = settings_.ipc_request_timeout_ms;
    ipc_settings.idle_timeout_ms = settings_.ipc_idle_timeout_ms;
    ipc_settings.max_frame_bytes = static_cast<uint32_t>(settings_.ipc_max_frame.bytes);
    if (settings_.security.kerberos()) {
      // Fail at start, not at the first client, when the keytab does not hold our keys.
      RETURN_IF_ERROR(GssContext::Acceptor(settings_.kerberos_principal, settings_.keytab).status());
      ipc_settings.kerberos_principal = settings_.kerberos_principal;
      ipc_settings.keytab = settings_.keytab;
      ipc_settings.auth_to_local = auth_to_local_;
      ipc_settings.delegation_tokens = delegation_tokens_.get();
      ipc_settings.proxy_users = proxy_users_.get();
      spdlog::info("security: kerberos; the Hadoop IPC door authenticates callers as clients of {}",
                   settings_.kerberos_principal);
    }
    ipc_ = std::make_unique<ipc::HadoopIpcServer>(ipc_settings, methods_, *groups_);
    RETURN_IF_ERROR(ipc_->Start(settings_.bind_host, settings_.ipc_port));
  }
  {
    std::lock_guard lock(monitor_mu_);
    stopping_ = false;
  }
  monitor_ = std::thread([this] { MonitorLoop(); });
  RETURN_IF_ERROR(WritePortFile());
  spdlog::info("namenode up: name dir {}, superuser {}, safe mode: {}", settings_.name_dir, settings_.superuser,
               safe_mode_->Describe());
  return Status::OK();
}

void Namenode::Stop() {
  {
    std::lock_guard lock(monitor_mu_);
    stopping_ = true;
  }
  monitor_cv_.notify_all();
  if (monitor_.joinable()) monitor_.join();
  if (ipc_) {
    ipc_->Stop();
    ipc_.reset();
  }
  if (rpc_) {
    rpc_->Stop();
    rpc_.reset();
  }
  // Answers still waiting for their sync run now, while the block manager they may touch lives.
  if (ns_) ns_->Quiesce();
}

void Namenode::RunMonitorOnce() {
  for (uint32_t node : datanodes_->CheckLiveness()) blocks_->NodeDied(node);
  const bool safe = safe_mode_->IsOn();
  const int64_t now = MonotonicMillis();
  if (!safe && now - last_replication_ms_ >= settings_.replication_interval_ms) {
    last_replication_ms_ = now;
    // As HDFS: about two re-replications per live node per round.
    const size_t work = 2 * std::max<size_t>(1, datanodes_->GetTotals().live);
    blocks_->RunReplicationRound(work);
    CheckDecommissions();
  }
  RecoverExpiredLeases(*name_system_);
  block_keys_->RollIfDue(WallMillis());  // datanodes pick new keys up in their next heartbeat
}

void Namenode::MonitorLoop() {
  const int64_t tick_ms =
      std::max<int64_t>(10, std::min<int64_t>({settings_.replication_interval_ms, settings_.heartbeat_interval_ms, 1000}));
  std::unique_lock lock(monitor_mu_);
  while (!stopping_) {
    monitor_cv_.wait_for(lock, std::chrono::milliseconds(tick_ms), [&] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    RunMonitorOnce();
    lock.lock();
  }
}

}  // namespace cairn::namenode
