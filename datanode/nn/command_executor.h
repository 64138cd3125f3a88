// CommandExecutor: carries out what the namenode asks in heartbeat replies, off the
// heartbeat thread. Deletes run on one thread (the store reports each DELETED);
// re-replications (ReplicateCommand: copy a finalized local replica to the targets as a
// TRANSFER_FINALIZED pipeline) on a small pool; block recoveries (RecoverBlockCommand:
// this node is the primary of a lease recovery, see block_recovery.h) on another. At most
// queue_capacity commands wait; more are dropped with a warning (the namenode orders them
// again).
//
// Thread-safety: Execute from any thread; Stop from the owner.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <mutex>
#include <unordered_set>

#include "cairn/datanode_protocol.pb.h"
#include "common/block_token.h"
#include "common/socket.h"
#include "common/thread_pool.h"
#include "datanode/nn/namenode_client.h"
#include "datanode/store/block_store.h"

namespace cairn::datanode {

struct CommandExecutorOptions {
  int replication_threads = 2;   // concurrent re-replications
  int queue_capacity = 1024;     // commands waiting, over both pools
  int socket_timeout_ms = 60000; // transfer sockets and inter-datanode recovery calls
  int recovery_threads = 2;      // concurrent block recoveries
  const BlockKeyRing* block_keys = nullptr;  // signs re-replication's and recovery's tokens (null: none)
  std::shared_ptr<grpc::ChannelCredentials> peer_credentials;  // recovery calls to other datanodes (null: plaintext)
};

class CommandExecutor {
 public:
  // `namenode` receives the outcome of block recoveries; both must outlive the executor.
  CommandExecutor(BlockStore* store, NamenodeClient* namenode, CommandExecutorOptions options);
  ~CommandExecutor();

  void Execute(const DatanodeCommand& command);
  // Skips what is queued, aborts transfers in flight and joins the threads.
  void Stop();

 private:
  bool Admit(const char* what);
  void Delete(const DeleteCommand& command);
  void Replicate(const ReplicateCommand& command);
  void Recover(const RecoverBlockCommand& command);

  BlockStore* const store_;
  NamenodeClient* const namenode_;
  const CommandExecutorOptions options_;
  std::atomic<int> queued_{0};
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::unordered_set<uint64_t> replicating_;  // guarded by mu_: block ids being copied
  std::unordered_set<uint64_t> recovering_;   // guarded by mu_: block ids being recovered
  std::unordered_set<Socket*> sockets_;       // guarded by mu_: transfer sockets to abort on Stop
  ThreadPool deletes_;
  ThreadPool replications_;
  ThreadPool recoveries_;
};

}  // namespace cairn::datanode
