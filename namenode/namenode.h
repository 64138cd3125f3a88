// Namenode: the whole cairn-namenode process minus main(). It owns every component
// (namespace store, block and datanode managers, placement, leases, safe mode), the
// method table both front doors dispatch through, the gRPC and Hadoop IPC servers and the
// monitor thread (datanode liveness, safe mode exit, replication, decommissioning, lease
// hard limits).
//
// Start-up: Create opens RocksDB, loads the namespace, rebuilds the block map and leases
// from it; Start listens, writes the port file and starts the monitor. Stop undoes Start.
//
// Thread-safety: Create/Start/Stop from one owner thread; the components are used from
// handler and monitor threads as they document.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "common/status.h"
#include "namenode/ipc/ipc_server.h"
#include "namenode/name_system.h"
#include "namenode/rpc/method_table.h"
#include "namenode/rpc/rpc_server.h"
#include "namenode/rpc/user_group_resolver.h"
#include "namenode/settings.h"

namespace cairn::namenode {

class Namenode {
 public:
  static Result<std::unique_ptr<Namenode>> Create(NamenodeSettings settings);
  ~Namenode();

  Status Start();
  void Stop();

  int rpc_port() const { return rpc_ ? rpc_->port() : 0; }
  int ipc_port() const { return ipc_ ? ipc_->port() : 0; }
  NameSystem& name_system() { return *name_system_; }
  const MethodTable& methods() const { return methods_; }
  UserGroupResolver& groups() { return *groups_; }
  const NamenodeSettings& settings() const { return settings_; }

  // One round of the monitor's periodic work (tests call it directly).
  void RunMonitorOnce();
  // Whether the namespace store failed a write. Then every later change is refused, and
  // `fn` (set before Start; it must not block) runs once: cairn-namenode's asks the
  // process to shut down, which it then does in order and exits with status 1.
  bool store_failed() const { return store_failed_.load(); }
  void OnStoreFailure(std::function<void()> fn) { on_store_failure_ = std::move(fn); }

 private:
  explicit Namenode(NamenodeSettings settings) : settings_(std::move(settings)) {}
  Status Init();
  void RebuildFromNamespace();
  // Datanodes an administrator decommissioned stay so across restarts.
  Status LoadDatanodeAdmin();
  // Marks decommissioning nodes whose blocks all have enough replicas elsewhere as done.
  void CheckDecommissions();
  void MonitorLoop();
  Status WritePortFile() const;

  const NamenodeSettings settings_;
  std::atomic<bool> store_failed_{false};
  std::function<void()> on_store_failure_;  // set before Start
  std::unique_ptr<Namespace> ns_;
  std::unique_ptr<DatanodeManager> datanodes_;
  PlacementPolicy placement_;
  std::unique_ptr<BlockManager> blocks_;
  std::unique_ptr<LeaseManager> leases_;
  std::unique_ptr<SafeMode> safe_mode_;
  std::unique_ptr<BlockKeyRing> block_keys_;
  std::unique_ptr<DelegationTokenManager> delegation_tokens_;
  std::shared_ptr<const AuthToLocal> auth_to_local_;  // kerberos mode only
  std::unique_ptr<ProxyUsers> proxy_users_;           // kerberos mode only
  std::unique_ptr<NameSystem> name_system_;
  std::unique_ptr<UserGroupResolver> groups_;
  MethodTable methods_;
  std::unique_ptr<RpcServer> rpc_;
  std::unique_ptr<ipc::HadoopIpcServer> ipc_;  // null when settings_.ipc_port < 0

  std::thread monitor_;
  std::mutex monitor_mu_;
  std::condition_variable monitor_cv_;
  bool stopping_ = false;  // guarded by monitor_mu_
  int64_t last_replication_ms_ = 0;  // monitor thread only
};

}  // namespace cairn::namenode
