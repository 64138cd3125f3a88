#include "common/data_transfer.h"

#include <algorithm>

#include "common/endian.h"
#include "common/proto_io.h"

namespace cairn {

namespace hh = hadoop::hdfs;

std::string EncodeOp(DataTransferOp op, const google::protobuf::MessageLite& msg) {
  std::string out;
  out.reserve(3 + 5 + msg.ByteSizeLong());
  out.push_back(static_cast<char>(kDataTransferVersion >> 8));
  out.push_back(static_cast<char>(kDataTransferVersion & 0xff));
  out.push_back(static_cast<char>(op));
  AppendDelimited(msg, &out);
  return out;
}

Status SendOp(Socket& socket, DataTransferOp op, const google::protobuf::MessageLite& msg) {
  return socket.WriteFully(EncodeOp(op, msg));
}

Status ReadOpHeader(BufferedReader& in, DataTransferOp* op) {
  uint8_t hdr[3];
  RETURN_IF_ERROR(in.ReadFully(hdr, sizeof hdr));
  uint16_t version = LoadBigEndian16(hdr);
  if (version != kDataTransferVersion)
    return ProtocolError("data transfer version {} is not supported (expected {})", version, kDataTransferVersion);
  *op = static_cast<DataTransferOp>(hdr[2]);
  return Status::OK();
}

Status SendBlockOpResponse(Socket& socket, hh::BlockOpResponseProto response) {
  // Some clients read the first reply with a single 5-byte read: a lone status is only 3.
  if (response.ByteSizeLong() < 4 && !response.has_message()) response.set_message("");
  if (response.ByteSizeLong() < 4) response.set_message(response.message() + " ");
  return socket.WriteFully(SerializeDelimited(response));
}

Status ReadBlockOpResponse(BufferedReader& in, hh::BlockOpResponseProto* response) {
  return ReadDelimited(in, response, kMaxOpMessageBytes);
}

Status BlockOpStatus(const hh::BlockOpResponseProto& response, std::string_view what) {
  if (response.status() == hh::SUCCESS) return Status::OK();
  std::string text = fmt::format("{} failed: {} {}", what, hh::Status_Name(response.status()), response.message());
  switch (response.status()) {
    case hh::ERROR_CHECKSUM: return ChecksumMismatch("{}", text);
    case hh::ERROR_INVALID: return InvalidArgument("{}", text);
    case hh::ERROR_EXISTS: return AlreadyExists("{}", text);
    case hh::ERROR_ACCESS_TOKEN: return PermissionDenied("{}", text);
    case hh::ERROR_UNSUPPORTED: return Unimplemented("{}", text);
    default: return IoError("{}", text);
  }
}

Status SendPacket(Socket& socket, const hh::PacketHeaderProto& header, std::span<const uint8_t> checksums,
                  std::span<const uint8_t> data) {
  uint8_t prefix[6 + 64];
  size_t header_len = header.ByteSizeLong();
  if (header_len > 64) return Internal("packet header of {} bytes", header_len);
  StoreBigEndian32(prefix, static_cast<uint32_t>(4 + checksums.size() + data.size()));
  StoreBigEndian16(prefix + 4, static_cast<uint16_t>(header_len));
  header.SerializeWithCachedSizesToArray(prefix + 6);
  iovec iov[3] = {
      {prefix, 6 + header_len},
      {const_cast<uint8_t*>(checksums.data()), checksums.size()},
      {const_cast<uint8_t*>(data.data()), data.size()},
  };
  return socket.WriteVec(iov, 3);
}

namespace {
constexpr size_t kFirstPacketChunk = 128 << 10;  // a packet's buffer starts at most this big
}  // namespace

Status PacketReader::Next(BufferedReader& in) {
  uint8_t prefix[6];
  RETURN_IF_ERROR(in.ReadFully(prefix, sizeof prefix));
  uint32_t payload_len = LoadBigEndian32(prefix);
  uint16_t header_len = LoadBigEndian16(prefix + 4);
  if (payload_len < 4 || payload_len > kMaxPacketPayload)
    return ProtocolError("packet payload length {} out of range", payload_len);
  if (header_len == 0 || header_len > 1024) return ProtocolError("packet header length {} out of range", header_len);
  raw_size_ = 6 + header_len + payload_len - 4;
  // The buffer grows with the bytes that really arrive (at most doubling each step), never
  // straight to a length the peer merely announced.
  if (buf_.size() < sizeof prefix) buf_.resize(sizeof prefix);
  std::memcpy(buf_.data(), prefix, sizeof prefix);
  size_t have = sizeof prefix;
  while (have < raw_size_) {
    const size_t target = std::min(raw_size_, std::max(have * 2, kFirstPacketChunk));
    if (buf_.size() < target) buf_.resize(target);
    RETURN_IF_ERROR(in.ReadFully(buf_.data() + have, target - have));
    have = target;
  }
  if (!header_.ParseFromArray(buf_.data() + 6, header_len)) return ProtocolError("cannot parse packet header");
  int64_t data_len = header_.datalen();
  size_t body = payload_len - 4;
  if (data_len < 0 || static_cast<size_t>(data_len) > body)
    return ProtocolError("packet dataLen {} exceeds its payload of {} bytes", data_len, body);
  const uint8_t* p = buf_.data() + 6 + header_len;
  checksums_ = {p, body - static_cast<size_t>(data_len)};
  data_ = {p + checksums_.size(), static_cast<size_t>(data_len)};
  return Status::OK();
}

Status SendPipelineAck(Socket& socket, int64_t seqno, std::span<const hh::Status> replies,
                       std::string_view error_message) {
  hh::PipelineAckProto ack;
  ack.set_seqno(seqno);
  if (!error_message.empty()) ack.set_cairn_error_message(std::string(error_message));
  for (hh::Status s : replies) {
    ack.add_reply(s);
    ack.add_flag(static_cast<uint32_t>(s));  // status in the low 4 bits, no ECN
  }
  return socket.WriteFully(SerializeDelimited(ack));
}

Status ReadPipelineAck(BufferedReader& in, hh::PipelineAckProto* ack) {
  return ReadDelimited(in, ack, kMaxOpMessageBytes);
}

int AckReplyCount(const hh::PipelineAckProto& ack) {
  return ack.flag_size() > 0 ? ack.flag_size() : ack.reply_size();
}

hh::Status AckReply(const hh::PipelineAckProto& ack, int i) {
  if (ack.flag_size() > 0) return static_cast<hh::Status>(ack.flag(i) & 0xf);
  return ack.reply(i);
}

}  // namespace cairn
