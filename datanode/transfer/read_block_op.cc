#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "common/proto_io.h"
#include "datanode/transfer/block_sender.h"
#include "datanode/transfer/ops.h"

namespace cairn::datanode {

namespace hh = hadoop::hdfs;

Status SendError(Socket& socket, hh::Status status, const std::string& message) {
  hh::BlockOpResponseProto reply;
  reply.set_status(status);
  reply.set_message(message);
  return SendBlockOpResponse(socket, std::move(reply));
}

Status CheckBlockAccess(const XceiverContext& ctx, const hh::BaseHeaderProto& header, uint32_t mode) {
  if (ctx.block_keys == nullptr) return Status::OK();
  return ctx.block_keys->Check(header.token(), header.block().blockid(), mode, WallMillis());
}

Status ServeReadBlock(const XceiverContext& ctx, Socket& socket, BufferedReader& in, const hh::OpReadBlockProto& op) {
  const auto& b = op.header().baseheader().block();
  Status access = CheckBlockAccess(ctx, op.header().baseheader(), kBlockRead);
  if (!access.ok()) {
    spdlog::info("read of {} from {} refused: {}", BlockName(b.blockid(), b.generationstamp()), socket.PeerAddress(),
                 access.ToString());
    return SendError(socket, hh::ERROR_ACCESS_TOKEN, access.message());
  }
  auto reader = ctx.store->OpenForRead(b.blockid(), b.generationstamp());
  // The stamp must be the replica's own: an older one is a stale location (or a guess such
  // as 0), a newer one a replica we do not have yet.
  if (reader.ok() && (*reader)->replica().gen_stamp != b.generationstamp())
    reader = Aborted("replica {} does not have the requested stamp {}", (*reader)->replica().Name(),
                     b.generationstamp());
  if (!reader.ok()) {
    spdlog::debug("read of {} refused: {}", BlockName(b.blockid(), b.generationstamp()), reader.status().ToString());
    return SendError(socket, hh::ERROR, reader.status().message());
  }
  auto sender = BlockSender::Create(reader->get(), op.offset(), op.len(), op.sendchecksums());
  if (!sender.ok()) return SendError(socket, hh::ERROR_INVALID, sender.status().message());

  hh::BlockOpResponseProto reply;
  reply.set_status(hh::SUCCESS);
  auto* info = reply.mutable_readopchecksuminfo();
  info->mutable_checksum()->set_type(op.sendchecksums() ? static_cast<hh::ChecksumTypeProto>(sender->checksum().type)
                                                        : hh::CHECKSUM_NULL);
  info->mutable_checksum()->set_bytesperchecksum(sender->checksum().bytes_per_checksum);
  info->set_chunkoffset(sender->chunk_offset());
  // The response goes out once the first data was read: a disk that fails that read gets
  // an ERROR response with its reason (the client says why), not a closed connection.
  bool responded = false;
  Status st = sender->SendPackets(socket, [&] {
    responded = true;
    return SendBlockOpResponse(socket, std::move(reply));
  });
  if (!st.ok() && !responded) {
    spdlog::info("read of {} for {} failed: {}", (*reader)->replica().Name(), socket.PeerAddress(), st.ToString());
    return SendError(socket, hh::ERROR, st.message());
  }
  if (!st.ok()) {
    spdlog::debug("sending {} to {} stopped: {}", (*reader)->replica().Name(), socket.PeerAddress(), st.ToString());
    return st;
  }

  // The reader ends with a ClientReadStatusProto, or goes straight to its next op (whose
  // first byte, the version's high byte, is 0), or just closes.
  RETURN_IF_ERROR(socket.SetTimeouts(ctx.options.keepalive_ms, ctx.options.socket_timeout_ms));
  if (!in.WaitReadable().ok() || in.PeekByte() == 0) return Status::OK();
  hh::ClientReadStatusProto status;
  RETURN_IF_ERROR(ReadDelimited(in, &status, 64));
  if (status.status() == hh::ERROR_CHECKSUM) {
    spdlog::warn("{} reports a checksum error reading {}", socket.PeerAddress(), (*reader)->replica().Name());
    if (ctx.suspect) ctx.suspect(b.blockid());
  }
  return Status::OK();
}

}  // namespace cairn::datanode
