#include <spdlog/spdlog.h>

#include "datanode/transfer/ops.h"
#include "datanode/transfer/transfer.h"

namespace cairn::datanode {

namespace hh = hadoop::hdfs;

Status ServeTransferBlock(const XceiverContext& ctx, Socket& socket, const hh::OpTransferBlockProto& op) {
  Status access = CheckBlockAccess(ctx, op.header().baseheader(), kBlockCopy);
  if (!access.ok()) return SendError(socket, hh::ERROR_ACCESS_TOKEN, access.message());
  TransferRequest req;
  req.block_keys = ctx.block_keys;
  req.block = op.header().baseheader().block();
  req.targets.assign(op.targets().begin(), op.targets().end());
  req.client_name = op.header().clientname();
  if (req.client_name.empty()) req.client_name = "transfer";
  Status st = TransferReplica(*ctx.store, req, ctx.options.socket_timeout_ms);
  if (!st.ok()) {
    spdlog::info("transfer of blk_{} for {} failed: {}", static_cast<int64_t>(req.block.blockid()),
                 socket.PeerAddress(), st.ToString());
    return SendError(socket, hh::ERROR, st.message());
  }
  hh::BlockOpResponseProto reply;
  reply.set_status(hh::SUCCESS);
  return SendBlockOpResponse(socket, std::move(reply));
}

}  // namespace cairn::datanode
