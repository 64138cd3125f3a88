// CommandExecutor: carries out what the namenode asks in heartbeat replies, off the
// heartbeat thread. Deletes run on one thread (the store reports each DELETED);
// re-replications (ReplicateCommand: copy a finalized local replica to the targets as a
// TRANSFER_FINALIZED pipeline) on a small pool. At most queue_capacity commands wait; more
// are dropped with a warning (the namenode orders them again). Block recovery
// (RecoverBlockCommand) is not implemented yet and is logged once.
//
// Thread-safety: Execute from any thread; Stop from the owner.
#pragma once

#include <atomic>
#include <mutex>
#include <unordered_set>

#include "cairn/datanode_protocol.pb.h"
#include "common/socket.h"
#include "common/thread_pool.h"
#include "datanode/block_store.h"

namespace cairn::datanode {

struct CommandExecutorOptions {
  int replication_threads = 2;   // concurrent re-replications
  int queue_capacity = 1024;     // commands waiting, over both pools
  int socket_timeout_ms = 60000; // transfer sockets
};

class CommandExecutor {
 public:
  CommandExecutor(BlockStore* store, CommandExecutorOptions options);
  ~CommandExecutor();

  void Execute(const DatanodeCommand& command);
  // Skips what is queued, aborts transfers in flight and joins the threads.
  void Stop();

 private:
  bool Admit(const char* what);
  void Delete(const DeleteCommand& command);
  void Replicate(const ReplicateCommand& command);

  BlockStore* const store_;
  const CommandExecutorOptions options_;
  std::atomic<int> queued_{0};
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::unordered_set<uint64_t> replicating_;  // guarded by mu_: block ids being copied
  std::unordered_set<Socket*> sockets_;       // guarded by mu_: transfer sockets to abort on Stop
  ThreadPool deletes_;
  ThreadPool replications_;
};

}  // namespace cairn::datanode
