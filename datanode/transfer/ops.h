// Handlers of the DataTransferProtocol ops other than WRITE_BLOCK (see write_block_op.h).
// Each runs on the connection's thread after the op message was read; an error means the
// connection must be dropped, while answered failures (missing replica, bad range) return
// OK so the connection can carry the next op.
#pragma once

#include "common/data_transfer.h"
#include "datanode/transfer/xceiver_context.h"

namespace cairn::datanode {

// OP_READ_BLOCK: reply with the checksum info, stream the packets, then take the reader's
// ClientReadStatusProto if it sends one.
Status ServeReadBlock(const XceiverContext& ctx, Socket& socket, BufferedReader& in,
                      const hadoop::hdfs::OpReadBlockProto& op);

// OP_BLOCK_CHECKSUM: MD5 over the replica's chunk CRCs (HDFS's MD5MD5CRC per-block part).
Status ServeBlockChecksum(const XceiverContext& ctx, Socket& socket, const hadoop::hdfs::OpBlockChecksumProto& op);

// OP_TRANSFER_BLOCK: copies a local replica to the given targets (pipeline recovery adding
// a datanode) and replies once they have it.
Status ServeTransferBlock(const XceiverContext& ctx, Socket& socket, const hadoop::hdfs::OpTransferBlockProto& op);

// Replies with a status and a message.
Status SendError(Socket& socket, hadoop::hdfs::Status status, const std::string& message);

// Checks the op's block access token against the block it names and the access `mode`
// (kBlockRead, ...). kPermissionDenied says why not; ERROR_ACCESS_TOKEN is what a client
// is told (stock clients raise InvalidBlockTokenException and fetch new tokens).
Status CheckBlockAccess(const XceiverContext& ctx, const hadoop::hdfs::BaseHeaderProto& header, uint32_t mode);

}  // namespace cairn::datanode
