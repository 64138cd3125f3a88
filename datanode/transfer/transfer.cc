#include "datanode/transfer/transfer.h"

#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "common/data_transfer.h"
#include "datanode/transfer/block_sender.h"
#include "datanode/transfer/xceiver_context.h"

namespace cairn::datanode {

namespace hh = hadoop::hdfs;

namespace {
Status Transfer(BlockStore& store, const TransferRequest& req, int socket_timeout_ms, Socket& sock);
}  // namespace

Status TransferReplica(BlockStore& store, const TransferRequest& req, int socket_timeout_ms) {
  Socket sock;
  Status st = Transfer(store, req, socket_timeout_ms, sock);
  if (sock.valid() && req.on_socket) req.on_socket(nullptr);
  return st;
}

namespace {
Status Transfer(BlockStore& store, const TransferRequest& req, int socket_timeout_ms, Socket& sock) {
  if (req.targets.empty()) return InvalidArgument("no targets to transfer {} to", req.block.blockid());
  ASSIGN_OR_RETURN(auto reader, store.OpenForRead(req.block.blockid(), req.block.generationstamp()));
  const ReplicaInfo& r = reader->replica();
  if (req.require_finalized && r.state != ReplicaState::kFinalized)
    return InvalidArgument("{} is {}, not FINALIZED", r.Name(), ReplicaStateName(r.state));
  ASSIGN_OR_RETURN(BlockSender sender, BlockSender::Create(reader.get(), 0, r.visible_length(), true,
                                                           /*verify_checksums=*/true));

  const auto& first = req.targets.front().id();
  std::string target = HostPort{first.ipaddr(), static_cast<int>(first.xferport())}.ToString();
  ASSIGN_OR_RETURN(sock, ConnectTcp(first.ipaddr(), static_cast<int>(first.xferport()), socket_timeout_ms));
  if (req.on_socket) req.on_socket(&sock);
  int read_timeout = socket_timeout_ms > 0
                         ? socket_timeout_ms + XceiverContext::kTimeoutExtensionMs * static_cast<int>(req.targets.size())
                         : 0;
  RETURN_IF_ERROR(sock.SetTimeouts(read_timeout, socket_timeout_ms));

  hh::OpWriteBlockProto op;
  auto* b = op.mutable_header()->mutable_baseheader()->mutable_block();
  b->set_poolid(req.block.poolid());
  b->set_blockid(r.block_id);
  b->set_generationstamp(r.gen_stamp);
  b->set_numbytes(r.visible_length());
  *op.mutable_header()->mutable_baseheader()->mutable_token() =
      req.block_keys ? req.block_keys->Issue(req.client_name, req.block.poolid(), r.block_id, kBlockWrite, WallMillis())
                     : EmptyBlockToken();
  op.mutable_header()->set_clientname(req.client_name);
  for (size_t i = 1; i < req.targets.size(); ++i) *op.add_targets() = req.targets[i];
  op.set_stage(r.state == ReplicaState::kFinalized ? hh::OpWriteBlockProto::TRANSFER_FINALIZED
                                                   : hh::OpWriteBlockProto::TRANSFER_RBW);
  op.set_pipelinesize(static_cast<uint32_t>(req.targets.size()));
  op.set_minbytesrcvd(0);
  op.set_maxbytesrcvd(0);
  op.set_latestgenerationstamp(r.gen_stamp);
  op.mutable_requestedchecksum()->set_type(static_cast<hh::ChecksumTypeProto>(r.checksum.type));
  op.mutable_requestedchecksum()->set_bytesperchecksum(r.checksum.bytes_per_checksum);
  RETURN_IF_ERROR_CTX(SendOp(sock, DataTransferOp::kWriteBlock, op), "transfer to " + target);
  Status sent = sender.SendPackets(sock);
  if (sent.code() == ErrorCode::kChecksumMismatch && r.state == ReplicaState::kFinalized) {
    // The source is damaged: stop serving it and tell the namenode, which picks another.
    Status marked = store.MarkCorrupt(r.block_id, r.gen_stamp, sent.message());
    if (!marked.ok()) spdlog::warn("marking {} corrupt: {}", r.Name(), marked.ToString());
  }
  RETURN_IF_ERROR_CTX(sent, "transfer to " + target);

  BufferedReader in(&sock, 4096);
  if (!req.client_name.empty()) {
    hh::BlockOpResponseProto reply;
    RETURN_IF_ERROR_CTX(ReadBlockOpResponse(in, &reply), "transfer to " + target);
    RETURN_IF_ERROR(BlockOpStatus(reply, fmt::format("transfer of {} to {}", r.Name(), target)));
  } else {
    // No reply in this mode: the target closes once it has stored the replica.
    sock.ShutdownWrite();
    Status st = in.WaitReadable();
    if (st.ok()) return ProtocolError("{} sent unexpected bytes after a transfer", target);
    if (st.code() != ErrorCode::kUnavailable) return st.WithContext("transfer to " + target);
  }
  spdlog::debug("transferred {} ({} bytes) to {}", r.Name(), r.visible_length(), target);
  return Status::OK();
}
}  // namespace

}  // namespace cairn::datanode
