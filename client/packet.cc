#include "client/packet.h"

#include <algorithm>

namespace cairn::client {

uint32_t PacketCapacity(uint64_t offset_in_block, uint64_t block_size, uint32_t packet_data_bytes,
                        uint32_t bytes_per_chunk) {
  uint64_t to_chunk_end = packet_data_bytes - offset_in_block % bytes_per_chunk;
  uint64_t to_block_end = block_size > offset_in_block ? block_size - offset_in_block : 0;
  return static_cast<uint32_t>(std::min(to_chunk_end, to_block_end));
}

Status VerifyPacketChecksums(ChecksumType type, uint32_t bytes_per_chunk, uint64_t offset_in_block,
                             std::span<const uint8_t> data, std::span<const uint8_t> checksums) {
  const size_t want = ChunkCount(data.size(), bytes_per_chunk) * ChecksumSize(type);
  if (checksums.size() != want)
    return ProtocolError("packet at offset {} carries {} checksum bytes for {} data bytes (expected {})",
                         offset_in_block, checksums.size(), data.size(), want);
  return VerifyChunkChecksums(type, bytes_per_chunk, data, checksums.data(), offset_in_block);
}

void Packet::ComputeChecksums(ChecksumType type, uint32_t bytes_per_chunk) {
  ComputeChunkChecksums(type, bytes_per_chunk, data_span(), checksums.get());
  checksum_len = ChunkCount(data_len, bytes_per_chunk) * ChecksumSize(type);
}

PacketPool::PacketPool(uint32_t packet_data_bytes, uint32_t bytes_per_chunk)
    : packet_data_bytes_(packet_data_bytes), checksum_bytes_(ChunkCount(packet_data_bytes, bytes_per_chunk) * 4) {}

std::unique_ptr<Packet> PacketPool::Get(int64_t seqno, uint64_t offset_in_block, uint32_t capacity) {
  std::unique_ptr<Packet> p;
  {
    std::lock_guard lock(mu_);
    if (!free_.empty()) {
      p = std::move(free_.back());
      free_.pop_back();
    }
  }
  if (!p) {
    p = std::make_unique<Packet>();
    p->data.reset(new uint8_t[packet_data_bytes_]);
    p->checksums.reset(new uint8_t[checksum_bytes_]);
  }
  p->seqno = seqno;
  p->offset_in_block = offset_in_block;
  p->last = false;
  p->sync = false;
  p->capacity = std::min(capacity, packet_data_bytes_);
  p->data_len = 0;
  p->checksum_len = 0;
  return p;
}

void PacketPool::Put(std::unique_ptr<Packet> packet) {
  if (!packet) return;
  std::lock_guard lock(mu_);
  free_.push_back(std::move(packet));
}

}  // namespace cairn::client
