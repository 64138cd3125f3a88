#include "datanode/recovery/block_recovery.h"

#include <algorithm>
#include <climits>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/socket.h"
#include "datanode/recovery/inter_datanode.h"

namespace cairn::datanode {

namespace hh = hadoop::hdfs;

namespace {

struct Participant {
  const hh::DatanodeInfoProto* node = nullptr;
  uint64_t gen_stamp = 0;
  uint64_t length = 0;
  bool finalized = false;
};

std::string Address(const hh::DatanodeInfoProto& node) {
  return HostPort{node.id().ipaddr(), static_cast<int>(node.id().xferport())}.ToString();
}

// One call, served by the local store when the node is this datanode.
Result<InterDatanodeResponse> Call(BlockStore& store, const hh::DatanodeInfoProto& node,
                                   const InterDatanodeRequest& request, int timeout_ms,
                                   const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
  if (node.id().datanodeuuid() == store.datanode_uuid()) {
    InterDatanodeResponse response = HandleInterDatanode(store, request);
    if (response.has_error_code())
      return Status(ErrorCodeFromName(response.error_code()), response.error_message());
    return response;
  }
  return CallInterDatanode(node, request, timeout_ms, credentials);
}

// The agreed length and the replicas that can reach it (step 2 of the header).
Result<uint64_t> AgreeOnLength(std::vector<Participant>* parts, uint64_t promised, const std::string& name) {
  std::vector<Participant>& p = *parts;
  bool any_finalized = false;
  uint64_t finalized_length = 0;
  for (const auto& r : p) {
    if (!r.finalized) continue;
    if (any_finalized && r.length != finalized_length)
      return Corruption("{}: finalized replicas disagree on the length ({} and {} bytes)", name, finalized_length,
                        r.length);
    any_finalized = true;
    finalized_length = r.length;
  }
  if (any_finalized) {
    std::erase_if(p, [&](const Participant& r) { return r.length < finalized_length; });
    if (finalized_length < promised)
      return Aborted("{}: the finalized replicas have {} bytes, fewer than the {} promised to readers", name,
                     finalized_length, promised);
    return finalized_length;
  }
  std::erase_if(p, [&](const Participant& r) { return r.length < promised; });
  if (p.empty()) return Aborted("{}: no reachable replica has the {} bytes promised to readers", name, promised);
  uint64_t shortest = UINT64_MAX;
  for (const auto& r : p) shortest = std::min(shortest, r.length);
  return shortest;
}

}  // namespace

Status RecoverBlock(BlockStore& store, NamenodeClient& namenode, const RecoverBlockCommand& command, int timeout_ms,
                    const BlockKeyRing* block_keys, std::shared_ptr<grpc::ChannelCredentials> peer_credentials) {
  const hh::ExtendedBlockProto& block = command.block();
  const uint64_t recovery_id = command.new_gen_stamp();
  const std::string name = BlockName(block.blockid(), block.generationstamp());
  if (recovery_id <= block.generationstamp())
    return InvalidArgument("{}: recovery id {} is not newer than the block's stamp", name, recovery_id);

  // Step 1: who holds what.
  const hadoop::common::TokenProto token = RecoveryToken(block_keys, block);
  InterDatanodeRequest init;
  *init.mutable_token() = token;
  *init.mutable_init_replica_recovery()->mutable_block() = block;
  init.mutable_init_replica_recovery()->set_recovery_id(recovery_id);
  std::vector<Participant> parts;
  size_t answered = 0;
  std::string failures;
  for (const auto& node : command.replicas()) {
    auto r = Call(store, node, init, timeout_ms, peer_credentials);
    if (!r.ok()) {
      // A holder without the replica has nothing to add; anything else is a failure to reach it.
      if (r.status().code() == ErrorCode::kNotFound) ++answered;
      failures += fmt::format("{}{}: {}", failures.empty() ? "" : "; ", Address(node), r.status().ToString());
      continue;
    }
    ++answered;
    const auto& info = r->init_replica_recovery();
    if (info.gen_stamp() < block.generationstamp()) continue;
    if (info.num_bytes() == 0) continue;
    parts.push_back(Participant{&node, info.gen_stamp(), info.num_bytes(), info.finalized()});
  }
  if (answered == 0)
    return Unavailable("{}: no replica holder could be asked about recovery {}: {}", name, recovery_id, failures);

  CommitBlockSynchronizationRequest commit;
  *commit.mutable_block() = block;
  commit.set_new_gen_stamp(recovery_id);
  if (parts.empty() && !command.truncate()) {
    if (block.numbytes() > 0)
      return Aborted("{}: no reachable replica has data, but {} bytes were promised to readers ({})", name,
                     block.numbytes(), failures);
    spdlog::info("recovery {} of {}: no replica has data; the namenode drops the block", recovery_id, name);
    commit.set_new_length(0);
    commit.set_delete_block(true);
    return namenode.CommitBlockSynchronization(commit);
  }

  // Step 2 and 3: agree on a length (a truncate names it), then bring every participant to it.
  uint64_t length = block.numbytes();
  if (command.truncate()) {
    std::erase_if(parts, [&](const Participant& r) { return r.length < length; });
    if (parts.empty())
      return Aborted("{}: truncate recovery {}: no reachable replica has the {} bytes to keep ({})", name,
                     recovery_id, length, failures);
  } else {
    ASSIGN_OR_RETURN(length, AgreeOnLength(&parts, block.numbytes(), name));
  }
  InterDatanodeRequest update;
  *update.mutable_token() = token;
  auto* u = update.mutable_update_replica_under_recovery();
  *u->mutable_block() = block;
  u->set_recovery_id(recovery_id);
  u->set_new_length(length);
  u->set_truncate(command.truncate());
  for (const auto& p : parts) {
    auto r = Call(store, *p.node, update, timeout_ms, peer_credentials);
    if (!r.ok()) {
      spdlog::warn("recovery {} of {}: {} could not finalize its replica: {}", recovery_id, name, Address(*p.node),
                   r.status().ToString());
      continue;
    }
    commit.add_datanode_uuids(p.node->id().datanodeuuid());
  }
  if (commit.datanode_uuids_size() == 0)
    return IoError("{}: recovery {} agreed on {} bytes but no replica could be finalized", name, recovery_id, length);

  // Step 4.
  commit.set_new_length(length);
  RETURN_IF_ERROR_CTX(namenode.CommitBlockSynchronization(commit), "committing the recovery of " + name);
  spdlog::info("recovered {} as blk_{}_{} with {} bytes on {} datanode(s)", name, static_cast<int64_t>(block.blockid()),
               recovery_id, length, commit.datanode_uuids_size());
  return Status::OK();
}

}  // namespace cairn::datanode
