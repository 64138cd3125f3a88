// Copying a local replica to other datanodes: namenode-ordered re-replication
// (ReplicateCommand) and OP_TRANSFER_BLOCK. The targets form a pipeline: the replica goes
// to targets[0] as OP_WRITE_BLOCK with stage TRANSFER_FINALIZED (or TRANSFER_RBW for a
// replica still being written) and targets[1..]; each node stores it as a temporary
// replica and finalizes it after the last packet (reporting it to the namenode).
//
// The source verifies every chunk before sending it; a replica that fails is marked corrupt
// (and so reported to the namenode) instead of being copied.
//
// With a client name (OP_TRANSFER_BLOCK) the first target answers with a final status
// once the pipeline has the replica; without one (replication, as between HDFS
// datanodes) no reply comes, and the sender waits for the target to close the connection.
//
// Thread-safety: stateless; any thread.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/block_token.h"
#include "common/socket.h"
#include "datanode/store/block_store.h"
#include "hadoop/datatransfer.pb.h"

namespace cairn::datanode {

struct TransferRequest {
  hadoop::hdfs::ExtendedBlockProto block;  // pool, id, and the least stamp acceptable
  std::vector<hadoop::hdfs::DatanodeInfoProto> targets;
  std::string client_name;                 // empty for namenode-ordered replication
  bool require_finalized = false;          // refuse RBW replicas (replication)
  // Signs the WRITE token the targets check (the namenode's keys this node holds); null:
  // the empty token.
  const BlockKeyRing* block_keys = nullptr;
  // Told the socket once connected and nullptr before it closes, so that an owner
  // shutting down can abort the transfer (Socket::ShutdownBoth from another thread).
  std::function<void(Socket*)> on_socket;
};

Status TransferReplica(BlockStore& store, const TransferRequest& request, int socket_timeout_ms);

}  // namespace cairn::datanode
