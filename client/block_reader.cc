#include "client/block_reader.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

#include "client/packet.h"
#include "client/proto_convert.h"
#include "common/data_transfer.h"
#include "common/endian.h"
#include "common/proto_io.h"

namespace cairn::client {

namespace {
constexpr size_t kMaxPacketHeaderBytes = 1024;
constexpr uint32_t kMaxBytesPerChecksum = 1 << 20;
// Small on purpose: a refill after the packet header should not pull much of the packet's
// data through this buffer; reads of 512 bytes or more bypass it (straight to their target).
constexpr size_t kReaderBufferBytes = 1024;
}  // namespace

BlockReader::BlockReader(Socket socket, std::string block_name, std::string node)
    : socket_(std::move(socket)), in_(&socket_, kReaderBufferBytes), block_name_(std::move(block_name)), node_(std::move(node)) {}

Status BlockReader::Err(Status st) const {
  if (st.ok()) return st;
  return st.WithContext(fmt::format("reading {} from datanode {}", block_name_, node_));
}

Result<std::unique_ptr<BlockReader>> BlockReader::Open(const hh::ExtendedBlockProto& block,
                                                       const hadoop::common::TokenProto& token,
                                                       const hh::DatanodeIDProto& node, uint64_t offset, uint64_t len,
                                                       const BlockReaderOptions& options) {
  std::string name = BlockName(block);
  std::string address = NodeAddress(node);
  auto sock = ConnectTcp(node.ipaddr(), static_cast<int>(node.xferport()), options.socket_timeout_ms);
  if (!sock.ok()) return sock.status().WithContext(fmt::format("connecting to datanode {} to read {}", address, name));
  RETURN_IF_ERROR(sock->SetTimeouts(options.socket_timeout_ms, options.socket_timeout_ms));
  if (options.socket_buffer_bytes > 0) RETURN_IF_ERROR(sock->SetBufferSizes(options.socket_buffer_bytes));
  std::unique_ptr<BlockReader> r(new BlockReader(std::move(*sock), name, address));

  hh::OpReadBlockProto op;
  *op.mutable_header()->mutable_baseheader()->mutable_block() = block;
  *op.mutable_header()->mutable_baseheader()->mutable_token() = token;
  op.mutable_header()->set_clientname(options.client_name);
  op.set_offset(offset);
  op.set_len(len);
  op.set_sendchecksums(true);
  RETURN_IF_ERROR(r->Err(SendOp(r->socket_, DataTransferOp::kReadBlock, op)));
  hh::BlockOpResponseProto reply;
  RETURN_IF_ERROR(r->Err(ReadBlockOpResponse(r->in_, &reply)));
  if (reply.status() != hh::SUCCESS) return BlockOpStatus(reply, fmt::format("reading {} from datanode {}", name, address));
  if (!reply.has_readopchecksuminfo())
    return r->Err(ProtocolError("the reply to OP_READ_BLOCK has no checksum information"));
  const auto& info = reply.readopchecksuminfo();
  ASSIGN_OR_RETURN(r->checksum_type_, ChecksumTypeFromInt(info.checksum().type()));
  r->bytes_per_checksum_ = info.checksum().bytesperchecksum();
  if (r->bytes_per_checksum_ == 0 || r->bytes_per_checksum_ > kMaxBytesPerChecksum)
    return r->Err(ProtocolError("bytesPerChecksum {} out of range", r->bytes_per_checksum_));
  if (info.chunkoffset() > offset)
    return r->Err(ProtocolError("first chunk offset {} is past the requested offset {}", info.chunkoffset(), offset));
  r->pos_ = offset;
  r->end_ = offset + len;
  r->next_packet_ = info.chunkoffset();
  return r;
}

Status BlockReader::NextPacket(uint8_t* direct, size_t direct_room, bool* went_direct) {
  *went_direct = false;
  uint8_t prefix[6];
  RETURN_IF_ERROR(Err(in_.ReadFully(prefix, sizeof prefix)));
  const uint32_t payload_len = LoadBigEndian32(prefix);
  const uint16_t header_len = LoadBigEndian16(prefix + 4);
  if (payload_len < 4 || payload_len > kMaxPacketPayload)
    return Err(ProtocolError("packet payload length {} out of range", payload_len));
  if (header_len == 0 || header_len > kMaxPacketHeaderBytes)
    return Err(ProtocolError("packet header length {} out of range", header_len));
  uint8_t header_bytes[kMaxPacketHeaderBytes];
  RETURN_IF_ERROR(Err(in_.ReadFully(header_bytes, header_len)));
  if (!header_.ParseFromArray(header_bytes, header_len)) return Err(ProtocolError("cannot parse a packet header"));
  const size_t body = payload_len - 4;
  if (header_.datalen() < 0 || static_cast<size_t>(header_.datalen()) > body)
    return Err(ProtocolError("packet dataLen {} exceeds its payload of {} bytes", header_.datalen(), body));
  const auto data_len = static_cast<size_t>(header_.datalen());
  const auto offset = static_cast<uint64_t>(header_.offsetinblock());
  if (header_.offsetinblock() < 0 || offset != next_packet_)
    return Err(ProtocolError("packet at block offset {} where {} was expected", header_.offsetinblock(), next_packet_));
  checksum_buf_.resize(body - data_len);
  RETURN_IF_ERROR(Err(in_.ReadFully(checksum_buf_.data(), checksum_buf_.size())));
  next_packet_ += data_len;
  if (header_.lastpacketinblock()) last_seen_ = true;
  buf_begin_ = buf_end_ = 0;
  if (data_len == 0) return Status::OK();

  const bool straight = direct != nullptr && offset == pos_ && data_len <= direct_room && offset + data_len <= end_;
  uint8_t* dst = direct;
  if (!straight) {
    if (data_buf_.size() < data_len) data_buf_.resize(std::max<size_t>(data_len, kDefaultPacketDataBytes));
    dst = data_buf_.data();
  }
  RETURN_IF_ERROR(Err(in_.ReadFully(dst, data_len)));
  Status verified = VerifyPacketChecksums(checksum_type_, bytes_per_checksum_, offset, {dst, data_len}, checksum_buf_);
  if (!verified.ok()) {
    // Tell the datanode (its block scanner then checks that replica first), then give up on it.
    hh::ClientReadStatusProto status;
    status.set_status(hh::ERROR_CHECKSUM);
    (void)socket_.WriteFully(SerializeDelimited(status));
    socket_.Close();
    return Err(verified);
  }
  *went_direct = straight;
  if (!straight) {
    // The part of this packet the caller asked for.
    buf_begin_ = static_cast<size_t>(std::min<uint64_t>(data_len, pos_ > offset ? pos_ - offset : 0));
    buf_end_ = static_cast<size_t>(std::min<uint64_t>(data_len, end_ > offset ? end_ - offset : 0));
    buf_end_ = std::max(buf_end_, buf_begin_);
  }
  return Status::OK();
}

Result<size_t> BlockReader::Read(void* buf, size_t n) {
  auto* out = static_cast<uint8_t*>(buf);
  if (n == 0) return size_t{0};
  for (;;) {
    if (pos_ >= end_) {
      Finish();
      return size_t{0};
    }
    if (buf_begin_ < buf_end_) {
      size_t take = std::min(n, buf_end_ - buf_begin_);
      std::memcpy(out, data_buf_.data() + buf_begin_, take);
      buf_begin_ += take;
      pos_ += take;
      if (pos_ >= end_) Finish();
      return take;
    }
    if (last_seen_)
      return Err(ProtocolError("the datanode ended the block at offset {} before the requested end {}", next_packet_, end_));
    bool direct = false;
    RETURN_IF_ERROR(NextPacket(out, n, &direct));
    if (direct) {
      auto got = static_cast<size_t>(header_.datalen());
      pos_ += got;
      if (pos_ >= end_) Finish();
      return got;
    }
  }
}

Status BlockReader::Skip(uint64_t n) {
  if (n > remaining()) return InvalidArgument("cannot skip {} bytes: only {} remain in the range", n, remaining());
  while (n > 0) {
    if (buf_begin_ < buf_end_) {
      size_t take = static_cast<size_t>(std::min<uint64_t>(n, buf_end_ - buf_begin_));
      buf_begin_ += take;
      pos_ += take;
      n -= take;
      continue;
    }
    if (last_seen_) return Err(ProtocolError("the datanode ended the block at offset {} early", next_packet_));
    bool direct = false;
    RETURN_IF_ERROR(NextPacket(nullptr, 0, &direct));
  }
  if (pos_ >= end_) Finish();
  return Status::OK();
}

void BlockReader::Finish() {
  if (!socket_.valid()) return;
  bool direct = false;
  while (!last_seen_) {
    Status st = NextPacket(nullptr, 0, &direct);
    if (!st.ok()) {
      spdlog::debug("after the requested range: {}", st.ToString());
      socket_.Close();
      return;
    }
  }
  hh::ClientReadStatusProto status;
  status.set_status(hh::CHECKSUM_OK);
  Status st = socket_.WriteFully(SerializeDelimited(status));
  if (!st.ok()) spdlog::debug("sending CHECKSUM_OK for {} to {}: {}", block_name_, node_, st.ToString());
  socket_.Close();
}

}  // namespace cairn::client
