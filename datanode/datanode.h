// Datanode: one datanode, composed in one place: the block store on the data dirs, the
// block scanner, the DataTransferProtocol server, the command executor and the control
// loop with the namenode. cairn-datanode runs one; tests may run several in one process. Services that
// live next to the data (the compute executor) are added here, started after the store
// and stopped before it.
//
// Ownership: owns everything it starts; Stop (or the destructor) stops them in reverse.
// Thread-safety: Start/Stop from one thread; accessors from any thread.
#pragma once

#include <memory>

#include "compute/executor/executor.h"
#include "datanode/nn/command_executor.h"
#include "datanode/nn/namenode_actor.h"
#include "datanode/nn/namenode_client.h"
#include "datanode/nn/report_queue.h"
#include "datanode/recovery/inter_datanode_server.h"
#include "datanode/settings.h"
#include "datanode/store/block_scanner.h"
#include "datanode/store/fs_block_store.h"
#include "datanode/transfer/xceiver_server.h"

namespace cairn::datanode {

class Datanode {
 public:
  // Opens the store, listens (writing the port file), and starts talking to the namenode
  // through `client` (null: gRPC to settings.namenode).
  static Result<std::unique_ptr<Datanode>> Start(const DatanodeSettings& settings,
                                                 std::unique_ptr<NamenodeClient> client = nullptr);
  ~Datanode();

  // Stops the control loop (cancelling calls to the namenode), stops accepting, aborts
  // transfers in flight (their replicas stay RBW) and the commands queued. Idempotent.
  void Stop();

  int xfer_port() const { return xceivers_->port(); }
  int ipc_port() const { return peers_->port(); }  // the inter-datanode gRPC port
  BlockStore& store() { return *store_; }
  BlockScanner& scanner() { return *scanner_; }
  NamenodeActor& actor() { return *actor_; }
  XceiverServer& xceiver_server() { return *xceivers_; }
  // The compute executor; null when no job master is configured.
  compute::Executor* executor() { return executor_.get(); }

 private:
  Datanode() = default;

  DatanodeSettings settings_;
  std::unique_ptr<NamenodeClient> client_;
  std::unique_ptr<ReportQueue> reports_;
  BlockKeyRing block_keys_;  // the namenode's block token keys, from registration and heartbeats
  std::unique_ptr<FsBlockStore> store_;
  std::unique_ptr<BlockScanner> scanner_;
  std::unique_ptr<XceiverServer> xceivers_;
  std::unique_ptr<InterDatanodeServer> peers_;
  std::unique_ptr<CommandExecutor> commands_;
  std::unique_ptr<NamenodeActor> actor_;
  std::unique_ptr<compute::Executor> executor_;
};

// Writes "key=value\n" lines to path atomically (path.tmp, then rename).
Status WritePortFile(const std::string& path, const std::string& contents);

}  // namespace cairn::datanode
