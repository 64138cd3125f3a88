// The two datanode-to-datanode calls of lease recovery (proto/cairn/inter_datanode.proto),
// carried by the InterDatanode gRPC service on each datanode's ipcPort
// (inter_datanode_server.h).
//
// HandleInterDatanode runs a request against the local block store (the server calls it
// for requests from a recovery's primary). With `block_keys` it first checks the
// request's REPLACE token for its block (kPermissionDenied otherwise). CallInterDatanode
// sends one to another datanode (with this datanode's TLS credentials; null: plaintext)
// and waits for the answer; an error answer comes back as the Status the peer's store
// returned. RecoveryToken signs a request's token.
//
// Thread-safety: stateless; any thread.
#pragma once

#include <memory>

#include <grpcpp/grpcpp.h>

#include "cairn/inter_datanode.pb.h"
#include "common/block_token.h"
#include "common/status.h"
#include "datanode/store/block_store.h"
#include "hadoop/hdfs.pb.h"

namespace cairn::datanode {

InterDatanodeResponse HandleInterDatanode(BlockStore& store, const InterDatanodeRequest& request,
                                          const BlockKeyRing* block_keys = nullptr);

// The token of recovery calls for `block` (the empty token without keys).
hadoop::common::TokenProto RecoveryToken(const BlockKeyRing* block_keys, const hadoop::hdfs::ExtendedBlockProto& block);

Result<InterDatanodeResponse> CallInterDatanode(const hadoop::hdfs::DatanodeInfoProto& node,
                                                const InterDatanodeRequest& request, int timeout_ms,
                                                std::shared_ptr<grpc::ChannelCredentials> credentials = nullptr);

}  // namespace cairn::datanode
