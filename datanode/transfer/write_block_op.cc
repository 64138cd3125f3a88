#include "datanode/transfer/write_block_op.h"

#include <poll.h>

#include <spdlog/spdlog.h>

#include "datanode/transfer/ops.h"
#include "datanode/transfer/packet_plan.h"

namespace cairn::datanode {

namespace hh = hadoop::hdfs;
using Stage = hh::OpWriteBlockProto;

namespace {
std::string BlockNameOf(const hh::ExtendedBlockProto& b) { return BlockName(b.blockid(), b.generationstamp()); }

bool IsTransfer(Stage::BlockConstructionStage s) { return s == Stage::TRANSFER_RBW || s == Stage::TRANSFER_FINALIZED; }

hh::Status WireStatus(const Status& st) {
  switch (st.code()) {
    case ErrorCode::kChecksumMismatch: return hh::ERROR_CHECKSUM;
    case ErrorCode::kUnimplemented: return hh::ERROR_UNSUPPORTED;
    case ErrorCode::kAlreadyExists: return hh::ERROR_EXISTS;
    case ErrorCode::kPermissionDenied: return hh::ERROR_ACCESS_TOKEN;
    default: return hh::ERROR;
  }
}

std::string XferAddress(const hh::DatanodeInfoProto& dn) {
  return HostPort{dn.id().ipaddr(), static_cast<int>(dn.id().xferport())}.ToString();
}
}  // namespace

WriteBlockOp::WriteBlockOp(const XceiverContext& ctx, Socket& upstream, BufferedReader& in, hh::OpWriteBlockProto op)
    : ctx_(ctx),
      upstream_(upstream),
      in_(in),
      op_(std::move(op)),
      block_name_(BlockNameOf(op_.header().baseheader().block())),
      is_client_(!op_.header().clientname().empty()),
      is_transfer_(IsTransfer(op_.stage())) {}

WriteBlockOp::~WriteBlockOp() {
  if (responder_) responder_->Finish();
}

Status WriteBlockOp::SendReply(hh::Status status, const std::string& first_bad_link, const std::string& message) {
  hh::BlockOpResponseProto reply;
  reply.set_status(status);
  reply.set_firstbadlink(first_bad_link);  // always set: some clients wait for it
  if (!message.empty()) reply.set_message(message);
  return SendBlockOpResponse(upstream_, std::move(reply));
}

Status WriteBlockOp::Run() {
  const bool acks = is_client_ && !is_transfer_;
  client_checksum_.type = static_cast<ChecksumType>(op_.requestedchecksum().type());
  client_checksum_.bytes_per_checksum = op_.requestedchecksum().bytesperchecksum();
  Status st = CheckBlockAccess(ctx_, op_.header().baseheader(), kBlockWrite);
  if (st.ok()) st = client_checksum_.Validate();
  if (st.ok()) st = OpenReplica();
  if (!st.ok()) {
    spdlog::info("write of {} ({}) refused: {}", block_name_, Stage::BlockConstructionStage_Name(op_.stage()),
                 st.ToString());
    if (acks || (is_client_ && is_transfer_)) (void)SendReply(WireStatus(st), "", st.message());
    return st;
  }
  if (writer_) writer_->SetInterrupt([this] { upstream_.ShutdownBoth(); });

  hh::Status mirror_status = hh::SUCCESS;
  std::string first_bad_link;
  if (op_.targets_size() > 0) {
    st = ConnectMirror(&mirror_status, &first_bad_link);
    if (!st.ok()) {
      spdlog::info("{}: mirror {} unusable: {}", block_name_, mirror_address_, st.ToString());
      mirror_status = hh::ERROR;
      if (first_bad_link.empty()) first_bad_link = mirror_address_;
    }
  }
  if (acks) {
    RETURN_IF_ERROR(SendReply(mirror_status, first_bad_link, ""));
    if (mirror_status != hh::SUCCESS) {
      // The client abandons this pipeline (and usually the block): drop the empty replica
      // rather than leave an RBW orphan behind.
      if (writer_ && op_.stage() == Stage::PIPELINE_SETUP_CREATE && writer_->bytes_on_disk() == 0) {
        writer_->Abort();
        const auto& b = op_.header().baseheader().block();
        (void)ctx_.store->Delete(b.blockid(), b.generationstamp());
      }
      return Aborted("{}: pipeline setup failed at {}", block_name_, first_bad_link);
    }
    responder_ = std::make_unique<PacketResponder>(&upstream_, mirror_ok_ ? &mirror_ : nullptr, mirror_in_.get(),
                                                   writer_.get(), mirror_address_, ctx_.options.ack_queue_packets);
    responder_->Start();
  }

  st = ReceivePackets();
  if (!st.ok()) {
    // Wake a responder (and the downstream nodes) still waiting on the mirror.
    if (mirror_.valid()) mirror_.ShutdownBoth();
    if (writer_) writer_->Abort();
  }
  if (responder_) {
    responder_->Finish();
    if (st.ok() && responder_->failed()) st = Aborted("{}: acknowledging the last packet failed", block_name_);
  }
  if (is_client_ && is_transfer_) {
    Status reply = SendTransferResult(st);
    if (st.ok()) st = reply;
  }
  if (st.ok()) spdlog::debug("received {} from {}", block_name_, upstream_.PeerAddress());
  return st;
}

Status WriteBlockOp::OpenReplica() {
  const auto& b = op_.header().baseheader().block();
  BlockStore& store = *ctx_.store;
  Result<std::unique_ptr<ReplicaWriter>> w = Internal("unset");
  if (!is_client_ || is_transfer_) {
    // Replication from a datanode, or a transfer: invisible until complete.
    w = store.CreateTemporary(b.blockid(), b.generationstamp(), client_checksum_);
  } else {
    switch (op_.stage()) {
      case Stage::PIPELINE_SETUP_CREATE:
        w = store.CreateRbw(b.blockid(), b.generationstamp(), client_checksum_);
        break;
      case Stage::PIPELINE_SETUP_APPEND:
        w = store.Append(b.blockid(), b.generationstamp(), op_.latestgenerationstamp(), op_.minbytesrcvd());
        break;
      case Stage::PIPELINE_SETUP_APPEND_RECOVERY:
        w = store.RecoverAppend(b.blockid(), b.generationstamp(), op_.latestgenerationstamp(), op_.minbytesrcvd());
        break;
      case Stage::PIPELINE_SETUP_STREAMING_RECOVERY:
        w = store.RecoverRbw(b.blockid(), b.generationstamp(), op_.latestgenerationstamp(), op_.minbytesrcvd(),
                             op_.maxbytesrcvd());
        break;
      case Stage::PIPELINE_CLOSE_RECOVERY: {
        ASSIGN_OR_RETURN(ReplicaInfo info, store.RecoverClose(b.blockid(), b.generationstamp(),
                                                              op_.latestgenerationstamp(), op_.minbytesrcvd()));
        closed_length_ = info.bytes_on_disk;
        return Status::OK();
      }
      default:
        return InvalidArgument("stage {} cannot start a write", Stage::BlockConstructionStage_Name(op_.stage()));
    }
  }
  if (!w.ok()) return w.status();
  writer_ = std::move(w).value();
  return Status::OK();
}

Status WriteBlockOp::ConnectMirror(hh::Status* mirror_status, std::string* first_bad_link) {
  const auto& target = op_.targets(0);
  mirror_address_ = XferAddress(target);
  int timeout = ctx_.options.socket_timeout_ms;
  ASSIGN_OR_RETURN(mirror_, ConnectTcp(target.id().ipaddr(), static_cast<int>(target.id().xferport()), timeout));
  int read_timeout = timeout > 0 ? timeout + XceiverContext::kTimeoutExtensionMs * op_.targets_size() : 0;
  RETURN_IF_ERROR(mirror_.SetTimeouts(read_timeout, timeout));
  mirror_in_ = std::make_unique<BufferedReader>(&mirror_, 16 * 1024);

  hh::OpWriteBlockProto down = op_;
  down.clear_targets();
  for (int i = 1; i < op_.targets_size(); ++i) *down.add_targets() = op_.targets(i);
  if (op_.targetstoragetypes_size() > 0) {
    down.set_storagetype(op_.targetstoragetypes(0));
    down.clear_targetstoragetypes();
    for (int i = 1; i < op_.targetstoragetypes_size(); ++i) down.add_targetstoragetypes(op_.targetstoragetypes(i));
  }
  if (op_.targetpinnings_size() > 0) {
    down.set_pinning(op_.targetpinnings(0));
    down.clear_targetpinnings();
    for (int i = 1; i < op_.targetpinnings_size(); ++i) down.add_targetpinnings(op_.targetpinnings(i));
  }
  if (op_.targetstorageids_size() > 0) {
    down.set_storageid(op_.targetstorageids(0));
    down.clear_targetstorageids();
    for (int i = 1; i < op_.targetstorageids_size(); ++i) down.add_targetstorageids(op_.targetstorageids(i));
  }
  RETURN_IF_ERROR(SendOp(mirror_, DataTransferOp::kWriteBlock, down));
  if (is_client_ && !is_transfer_) {
    hh::BlockOpResponseProto reply;
    RETURN_IF_ERROR(ReadBlockOpResponse(*mirror_in_, &reply));
    *mirror_status = reply.status();
    *first_bad_link = reply.firstbadlink();
    if (reply.status() != hh::SUCCESS && first_bad_link->empty()) *first_bad_link = mirror_address_;
    if (reply.status() != hh::SUCCESS) return Status::OK();
  }
  mirror_ok_ = true;
  return Status::OK();
}

Status WriteBlockOp::SendTransferResult(const Status& local) {
  hh::Status status = local.ok() ? hh::SUCCESS : WireStatus(local);
  std::string bad_link;
  if (local.ok() && op_.targets_size() > 0) {
    hh::BlockOpResponseProto down;
    Status st = mirror_ok_ ? ReadBlockOpResponse(*mirror_in_, &down) : Unavailable("mirror lost");
    if (!st.ok() || down.status() != hh::SUCCESS) {
      status = hh::ERROR;
      bad_link = st.ok() && !down.firstbadlink().empty() ? down.firstbadlink() : mirror_address_;
    }
  }
  return SendReply(status, bad_link, local.ok() ? "" : local.message());
}

bool WriteBlockOp::MoreInputReady() const {
  if (in_.buffered() > 0) return true;
  pollfd pfd{upstream_.fd(), POLLIN, 0};
  return ::poll(&pfd, 1, 0) > 0;
}

void WriteBlockOp::EnqueueError(int64_t seqno, const Status& why) {
  if (responder_) (void)responder_->Enqueue(AckItem{seqno, false, 0, WireStatus(why), why.ToString()});
}

Status WriteBlockOp::ReceivePackets() {
  for (int slot = 0;; slot ^= 1) {
    PacketReader& packet = packets_[slot];
    Status st = packet.Next(in_);
    if (!st.ok()) {
      spdlog::info("{}: receiving from {} failed: {}", block_name_, upstream_.PeerAddress(), st.ToString());
      return st;
    }
    if (mirror_ok_) {
      auto raw = packet.raw();
      Status fw = mirror_.WriteFully(raw.data(), raw.size());
      if (!fw.ok()) {
        // Keep writing locally; the responder reports the mirror's failure in the next ack.
        spdlog::info("{}: forwarding to mirror {} failed: {}", block_name_, mirror_address_, fw.ToString());
        mirror_ok_ = false;
      }
    }
    RETURN_IF_ERROR(FlushPending());
    bool done = false;
    st = HandlePacket(slot, &done);
    if (!st.ok()) {
      spdlog::info("{}: packet {} from {} rejected: {}", block_name_, packet.header().seqno(),
                   upstream_.PeerAddress(), st.ToString());
      EnqueueError(packet.header().seqno(), st);
      return st;
    }
    if (done) return Status::OK();
  }
}

Status WriteBlockOp::HandlePacket(int slot, bool* done) {
  const PacketReader& packet = packets_[slot];
  const auto& h = packet.header();
  auto data = packet.data();
  auto sums = packet.checksums();
  if (h.offsetinblock() < 0) return ProtocolError("negative packet offset {}", h.offsetinblock());
  uint64_t offset = static_cast<uint64_t>(h.offsetinblock());
  uint64_t want_sums = client_checksum_.ChunkCount(data.size()) * kCrcSize;
  if (sums.size() != want_sums)
    return ProtocolError("packet carries {} checksum bytes, {} data bytes need {}", sums.size(), data.size(), want_sums);

  Pending pending{AckItem{h.seqno(), h.lastpacketinblock(), offset + data.size(), hh::SUCCESS}, h.syncblock()};
  if (!data.empty()) {
    RETURN_IF_ERROR(VerifyChunkChecksums(client_checksum_.type, client_checksum_.bytes_per_checksum, data,
                                         sums.data(), offset));
    if (!writer_) {
      if (offset + data.size() > closed_length_)
        return InvalidArgument("data up to {} beyond the {} bytes of the recovered replica", offset + data.size(),
                               closed_length_);
    } else {
      ASSIGN_OR_RETURN(PacketWrite w, PlanPacketWrite(writer_->replica().checksum, writer_->bytes_on_disk(),
                                                      writer_->last_chunk_crc(), client_checksum_, offset, data,
                                                      sums, &crc_bufs_[slot]));
      if (!w.data.empty()) RETURN_IF_ERROR(writer_->StartWrite(w.offset, w.data, w.first_chunk, w.crcs, w.last_crc));
    }
  }
  pending_ = pending;
  // Overlap the write with receiving the next packet, unless the sender waits for this
  // packet's ack before sending more (hflush, end of block, a pause).
  if (pending.sync || pending.ack.last || !MoreInputReady()) RETURN_IF_ERROR(FlushPending());
  *done = pending.ack.last;
  return Status::OK();
}

Status WriteBlockOp::FlushPending() {
  if (!pending_) return Status::OK();
  Pending p = *pending_;
  pending_.reset();
  Status st;
  if (writer_) {
    st = writer_->FinishWrite();
    if (st.ok() && p.sync) st = writer_->Sync();
  }
  if (st.ok() && p.ack.last) st = CompleteReplica();
  if (!st.ok()) {
    spdlog::warn("{}: writing packet {} failed: {}", block_name_, p.ack.seqno, st.ToString());
    EnqueueError(p.ack.seqno, st);
    return st;
  }
  if (responder_ && !responder_->Enqueue(p.ack)) return Aborted("{}: the pipeline's ack stream failed", block_name_);
  return Status::OK();
}

Status WriteBlockOp::CompleteReplica() {
  if (!writer_) return Status::OK();  // close recovery finalized it already
  Result<ReplicaInfo> done = op_.stage() == Stage::TRANSFER_RBW ? writer_->ConvertToRbw() : writer_->Finalize();
  return done.status();
}

}  // namespace cairn::datanode
