// HDFS DataTransferProtocol (version 28) framing, shared by the datanode's transfer server
// and every client of it (Cairn's client library, datanode-to-datanode pipelines and
// re-replication). Only framing lives here; what an op does lives in datanode/ and client/.
//
//   op request:  u16 version (28) | u8 opcode | varint-delimited Op*Proto
//   op reply:    varint-delimited BlockOpResponseProto (always >= 5 bytes as sent)
//   packet:      u32 payload_len (4 + checksum bytes + data bytes) | u16 header_len |
//                PacketHeaderProto | checksums (big-endian CRC per chunk) | data
//   ack:         varint-delimited PipelineAckProto
//
// Thread-safety: functions are stateless; a PacketReader belongs to one reading thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/socket.h"
#include "common/status.h"
#include "hadoop/datatransfer.pb.h"

namespace cairn {

constexpr uint16_t kDataTransferVersion = 28;

enum class DataTransferOp : uint8_t {
  kWriteBlock = 80,
  kReadBlock = 81,
  kReadMetadata = 82,
  kReplaceBlock = 83,
  kCopyBlock = 84,
  kBlockChecksum = 85,
  kTransferBlock = 86,
  kRequestShortCircuitFds = 87,
  kReleaseShortCircuitFds = 88,
  kRequestShortCircuitShm = 89,
  kBlockGroupChecksum = 90,
  kCustom = 127,
};

// Largest packet payload a peer may send us (Hadoop's limit is 16 MiB).
constexpr uint32_t kMaxPacketPayload = 16 * 1024 * 1024;
// Default data bytes per packet: 64 KiB, i.e. 128 chunks of 512 bytes.
constexpr uint32_t kDefaultPacketDataBytes = 64 * 1024;
// Largest op or reply message we accept.
constexpr size_t kMaxOpMessageBytes = 1 << 20;

// Sends version + opcode + delimited message in one write.
Status SendOp(Socket& socket, DataTransferOp op, const google::protobuf::MessageLite& msg);
// The bytes SendOp writes: version, op code, delimited message.
std::string EncodeOp(DataTransferOp op, const google::protobuf::MessageLite& msg);
// Reads version and opcode; kProtocolError for a wrong version.
Status ReadOpHeader(BufferedReader& in, DataTransferOp* op);

// Sends a BlockOpResponseProto, padded to the 5 bytes some clients read in one go.
Status SendBlockOpResponse(Socket& socket, hadoop::hdfs::BlockOpResponseProto response);
Status ReadBlockOpResponse(BufferedReader& in, hadoop::hdfs::BlockOpResponseProto* response);
// Turns a non-SUCCESS response into a Status naming what the peer said.
Status BlockOpStatus(const hadoop::hdfs::BlockOpResponseProto& response, std::string_view what);

// One packet, sent with a single sendmsg of header, checksums and data (no copy of data).
Status SendPacket(Socket& socket, const hadoop::hdfs::PacketHeaderProto& header,
                  std::span<const uint8_t> checksums, std::span<const uint8_t> data);

// Reads packets into a buffer reused across calls.
class PacketReader {
 public:
  // Reads the next packet; the spans stay valid until the next call.
  Status Next(BufferedReader& in);

  const hadoop::hdfs::PacketHeaderProto& header() const { return header_; }
  std::span<const uint8_t> checksums() const { return checksums_; }
  std::span<const uint8_t> data() const { return data_; }
  // The packet exactly as received (length prefix included), for forwarding downstream.
  std::span<const uint8_t> raw() const { return {buf_.data(), raw_size_}; }
  // Bytes the reader holds for packets (they grow with what arrived, not with lengths announced).
  size_t buffer_bytes() const { return buf_.capacity(); }

 private:
  hadoop::hdfs::PacketHeaderProto header_;
  std::vector<uint8_t> buf_;
  size_t raw_size_ = 0;
  std::span<const uint8_t> checksums_;
  std::span<const uint8_t> data_;
};

// Pipeline acks: one status per node from this one down the pipeline.
// error_message: why the first failing reply failed (PipelineAckProto.cairn_error_message).
Status SendPipelineAck(Socket& socket, int64_t seqno, std::span<const hadoop::hdfs::Status> replies,
                       std::string_view error_message = {});
Status ReadPipelineAck(BufferedReader& in, hadoop::hdfs::PipelineAckProto* ack);
// Status of reply i, read from `flag` when present (Hadoop >= 2.7) and else from `reply`.
hadoop::hdfs::Status AckReply(const hadoop::hdfs::PipelineAckProto& ack, int i);
int AckReplyCount(const hadoop::hdfs::PipelineAckProto& ack);

}  // namespace cairn
