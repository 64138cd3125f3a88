// Packets of the HDFS write path and the chunk arithmetic around them.
//
// A block is cut into packets of whole 512-byte checksum chunks (up to packet_data_bytes of
// data each, never crossing a block boundary). A packet's checksums cover its data in
// bytes_per_chunk pieces counted from the packet's first byte, as HDFS sends them. After an
// hflush the stream may continue in the middle of a chunk: that one packet starts off the
// block's chunk grid (the datanode recomputes the CRCs of the chunks it touches) and ends
// on a chunk boundary, so every later packet lines up with the grid again.
//
// Packet owns its buffers (checksums and data side by side, filled once, sent with one
// sendmsg). PacketPool recycles packets between the writer and the ack responder so a
// stream allocates at most its window's worth of buffers.
//
// Thread-safety: a Packet belongs to one thread at a time; PacketPool is thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "common/checksum.h"
#include "common/status.h"

namespace cairn::client {

// Data bytes the packet starting at offset_in_block may carry: up to packet_data_bytes,
// ending on a chunk boundary, never past the block's end.
uint32_t PacketCapacity(uint64_t offset_in_block, uint64_t block_size, uint32_t packet_data_bytes,
                        uint32_t bytes_per_chunk);
// Checks a received packet: the number of checksums its data needs (kProtocolError
// otherwise), then every chunk's CRC (kChecksumMismatch naming the block offset).
Status VerifyPacketChecksums(ChecksumType type, uint32_t bytes_per_chunk, uint64_t offset_in_block,
                             std::span<const uint8_t> data, std::span<const uint8_t> checksums);

struct Packet {
  static constexpr int64_t kHeartbeatSeqno = -1;  // HDFS's HEART_BEAT_SEQNO

  int64_t seqno = 0;
  uint64_t offset_in_block = 0;
  bool last = false;       // lastPacketInBlock: empty, ends the block
  bool sync = false;       // syncBlock: datanodes fsync before acking
  uint32_t capacity = 0;   // data bytes this packet may hold
  uint32_t data_len = 0;
  size_t checksum_len = 0; // valid after ComputeChecksums

  std::unique_ptr<uint8_t[]> data;       // packet_data_bytes
  std::unique_ptr<uint8_t[]> checksums;  // one CRC per chunk

  uint8_t* free_space() { return data.get() + data_len; }
  uint32_t room() const { return capacity - data_len; }
  std::span<const uint8_t> data_span() const { return {data.get(), data_len}; }
  std::span<const uint8_t> checksum_span() const { return {checksums.get(), checksum_len}; }
  void ComputeChecksums(ChecksumType type, uint32_t bytes_per_chunk);
};

class PacketPool {
 public:
  PacketPool(uint32_t packet_data_bytes, uint32_t bytes_per_chunk);

  // A packet with empty data at (seqno, offset) and the given capacity (<= packet_data_bytes).
  std::unique_ptr<Packet> Get(int64_t seqno, uint64_t offset_in_block, uint32_t capacity);
  void Put(std::unique_ptr<Packet> packet);

  uint32_t packet_data_bytes() const { return packet_data_bytes_; }

 private:
  const uint32_t packet_data_bytes_;
  const size_t checksum_bytes_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Packet>> free_;  // guarded by mu_
};

}  // namespace cairn::client
