#include "datanode/nn/command_executor.h"

#include <spdlog/spdlog.h>

#include "common/logging.h"
#include "datanode/recovery/block_recovery.h"
#include "datanode/transfer/transfer.h"

namespace cairn::datanode {

CommandExecutor::CommandExecutor(BlockStore* store, NamenodeClient* namenode, CommandExecutorOptions options)
    : store_(store),
      namenode_(namenode),
      options_(options),
      deletes_("dn-delete", 1, static_cast<size_t>(options.queue_capacity) + 1),
      replications_("dn-replicate", options.replication_threads, static_cast<size_t>(options.queue_capacity) + 1),
      recoveries_("dn-recover", options.recovery_threads, static_cast<size_t>(options.queue_capacity) + 1) {}

CommandExecutor::~CommandExecutor() { Stop(); }

void CommandExecutor::Stop() {
  stopping_ = true;
  {
    std::lock_guard lock(mu_);
    for (Socket* s : sockets_) s->ShutdownBoth();
  }
  deletes_.Shutdown();
  replications_.Shutdown();
  recoveries_.Shutdown();
}

bool CommandExecutor::Admit(const char* what) {
  if (stopping_) return false;
  if (queued_.fetch_add(1) >= options_.queue_capacity) {
    queued_.fetch_sub(1);
    static std::atomic<bool> logged{false};
    if (LogOnce(logged)) spdlog::warn("command queue full ({}); dropping a {} command", options_.queue_capacity, what);
    return false;
  }
  return true;
}

void CommandExecutor::Execute(const DatanodeCommand& command) {
  switch (command.command_case()) {
    case DatanodeCommand::kDelete:
      if (Admit("delete")) deletes_.Submit([this, c = command.delete_()] { Delete(c); });
      break;
    case DatanodeCommand::kReplicate:
      if (Admit("replicate")) replications_.Submit([this, c = command.replicate()] { Replicate(c); });
      break;
    case DatanodeCommand::kRecover:
      if (Admit("recover")) recoveries_.Submit([this, c = command.recover()] { Recover(c); });
      break;
    default:
      spdlog::warn("ignoring an unknown namenode command");
  }
}

void CommandExecutor::Delete(const DeleteCommand& command) {
  queued_.fetch_sub(1);
  for (const auto& b : command.blocks()) {
    if (stopping_) return;
    Status st = store_->Delete(b.blockid(), b.generationstamp());
    if (!st.ok()) spdlog::info("cannot delete {}: {}", BlockName(b.blockid(), b.generationstamp()), st.ToString());
  }
}

void CommandExecutor::Recover(const RecoverBlockCommand& command) {
  queued_.fetch_sub(1);
  const uint64_t id = command.block().blockid();
  {
    std::lock_guard lock(mu_);
    if (stopping_ || !recovering_.insert(id).second) return;  // already being recovered
  }
  Status st = RecoverBlock(*store_, *namenode_, command, options_.socket_timeout_ms, options_.block_keys,
                           options_.peer_credentials);
  if (!st.ok()) {
    spdlog::warn("recovery {} of {} failed: {}", command.new_gen_stamp(),
                 BlockName(id, command.block().generationstamp()), st.ToString());
  }
  std::lock_guard lock(mu_);
  recovering_.erase(id);
}

void CommandExecutor::Replicate(const ReplicateCommand& command) {
  queued_.fetch_sub(1);
  const uint64_t id = command.block().blockid();
  {
    std::lock_guard lock(mu_);
    if (stopping_ || !replicating_.insert(id).second) return;  // already being copied
  }
  TransferRequest req;
  req.block_keys = options_.block_keys;
  req.block = command.block();
  req.targets.assign(command.targets().begin(), command.targets().end());
  req.require_finalized = true;
  req.on_socket = [this, current = static_cast<Socket*>(nullptr)](Socket* s) mutable {
    std::lock_guard lock(mu_);
    if (current) sockets_.erase(current);
    current = s;
    if (s) {
      sockets_.insert(s);
      if (stopping_) s->ShutdownBoth();
    }
  };
  Status st = TransferReplica(*store_, req, options_.socket_timeout_ms);
  if (!st.ok()) {
    spdlog::info("replicating {} to {} targets failed: {}", BlockName(id, command.block().generationstamp()),
                 command.targets_size(), st.ToString());
  }
  std::lock_guard lock(mu_);
  replicating_.erase(id);
}

}  // namespace cairn::datanode
