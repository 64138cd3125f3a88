// RecoverBlock: the primary datanode's part of lease recovery (HDFS's BlockRecoveryWorker),
// run for a RecoverBlockCommand from the namenode when a file's writer is gone and its last
// block was left under construction.
//
//  1. Every replica holder the command lists (this node included, served locally) stops
//     writing and describes its replica (InitReplicaRecovery with the recovery id, the new
//     generation stamp). Holders that cannot answer or hold nothing newer than the block's
//     stamp drop out.
//  2. The length all participants can agree on: the length of the finalized replicas when
//     there are any (they must agree; RBW replicas at least that long join them), else the
//     shortest RBW replica. Never less than the length the namenode already promised
//     readers (hflush/fsync): replicas shorter than that drop out, and with none left the
//     recovery fails (the namenode tries again later, when more holders may be back).
//  3. Each participant truncates its replica to that length, moves it to the new stamp
//     and finalizes it (UpdateReplicaUnderRecovery).
//     A truncate recovery (command.truncate) skips the agreement: the length is the
//     block's numBytes, the length the namenode gave the truncated file, and every
//     replica at least that long (finalized ones included) is cut to it.
//  4. CommitBlockSynchronization tells the namenode the new stamp, length and holders;
//     it closes the file. With no data anywhere (and none promised) the namenode drops
//     the block instead.
//
// Thread-safety: stateless; runs on a CommandExecutor thread.
#pragma once

#include <memory>

#include <grpcpp/grpcpp.h>

#include "cairn/datanode_protocol.pb.h"
#include "common/block_token.h"
#include "common/status.h"
#include "datanode/nn/namenode_client.h"
#include "datanode/store/block_store.h"

namespace cairn::datanode {

// `block_keys` (may be null: no tokens) signs the REPLACE token of every call to the
// others; `peer_credentials` (null: plaintext) is this datanode's TLS identity for them.
Status RecoverBlock(BlockStore& store, NamenodeClient& namenode, const RecoverBlockCommand& command, int timeout_ms,
                    const BlockKeyRing* block_keys = nullptr,
                    std::shared_ptr<grpc::ChannelCredentials> peer_credentials = nullptr);

}  // namespace cairn::datanode
