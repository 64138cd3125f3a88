// The two datanode-to-datanode calls of lease recovery (proto/cairn/inter_datanode.proto),
// carried by DataTransferProtocol's CUSTOM op on the transfer port.
//
// HandleInterDatanode runs a request against the local block store (the transfer server
// calls it for requests from a recovery's primary). CallInterDatanode sends one to another
// datanode and waits for the answer; an error answer comes back as the Status the peer's
// store returned.
//
// Thread-safety: stateless; any thread.
#pragma once

#include "cairn/inter_datanode.pb.h"
#include "common/status.h"
#include "datanode/block_store.h"
#include "hadoop/hdfs.pb.h"

namespace cairn::datanode {

InterDatanodeResponse HandleInterDatanode(BlockStore& store, const InterDatanodeRequest& request);

Result<InterDatanodeResponse> CallInterDatanode(const hadoop::hdfs::DatanodeInfoProto& node,
                                                const InterDatanodeRequest& request, int timeout_ms);

}  // namespace cairn::datanode
