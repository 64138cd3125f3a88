#include "client/packet.h"

#include <algorithm>

namespace cairn::client {

namespace {
// Bytes of the leading partial chunk of a range starting at offset (0 when aligned).
size_t HeadBytes(uint64_t offset_in_block, size_t len, uint32_t bytes_per_chunk) {
  uint32_t into = static_cast<uint32_t>(offset_in_block % bytes_per_chunk);
  return into == 0 ? 0 : std::min<size_t>(len, bytes_per_chunk - into);
}
}  // namespace

uint32_t PacketCapacity(uint64_t offset_in_block, uint64_t block_size, uint32_t packet_data_bytes,
                        uint32_t bytes_per_chunk) {
  uint64_t to_chunk_end = packet_data_bytes - offset_in_block % bytes_per_chunk;
  uint64_t to_block_end = block_size > offset_in_block ? block_size - offset_in_block : 0;
  return static_cast<uint32_t>(std::min(to_chunk_end, to_block_end));
}

size_t PacketChunkCount(uint64_t offset_in_block, size_t len, uint32_t bytes_per_chunk) {
  size_t head = HeadBytes(offset_in_block, len, bytes_per_chunk);
  return (head > 0 ? 1 : 0) + ChunkCount(len - head, bytes_per_chunk);
}

size_t ComputePacketChecksums(ChecksumType type, uint32_t bytes_per_chunk, uint64_t offset_in_block,
                              std::span<const uint8_t> data, uint8_t* out) {
  size_t width = ChecksumSize(type);
  if (width == 0) return 0;
  size_t head = HeadBytes(offset_in_block, data.size(), bytes_per_chunk);
  if (head > 0) ComputeChunkChecksums(type, bytes_per_chunk, data.first(head), out);
  size_t head_sums = head > 0 ? 1 : 0;
  ComputeChunkChecksums(type, bytes_per_chunk, data.subspan(head), out + head_sums * width);
  return PacketChunkCount(offset_in_block, data.size(), bytes_per_chunk) * width;
}

Status VerifyPacketChecksums(ChecksumType type, uint32_t bytes_per_chunk, uint64_t offset_in_block,
                             std::span<const uint8_t> data, std::span<const uint8_t> checksums) {
  size_t width = ChecksumSize(type);
  size_t want = PacketChunkCount(offset_in_block, data.size(), bytes_per_chunk) * width;
  if (checksums.size() != want)
    return ProtocolError("packet at offset {} carries {} checksum bytes for {} data bytes (expected {})",
                         offset_in_block, checksums.size(), data.size(), want);
  if (width == 0) return Status::OK();
  size_t head = HeadBytes(offset_in_block, data.size(), bytes_per_chunk);
  if (head > 0) {
    RETURN_IF_ERROR(VerifyChunkChecksums(type, bytes_per_chunk, data.first(head), checksums.data(), offset_in_block));
  }
  size_t head_sums = head > 0 ? 1 : 0;
  return VerifyChunkChecksums(type, bytes_per_chunk, data.subspan(head), checksums.data() + head_sums * width,
                              offset_in_block + head);
}

void Packet::ComputeChecksums(ChecksumType type, uint32_t bytes_per_chunk) {
  checksum_len = ComputePacketChecksums(type, bytes_per_chunk, offset_in_block, data_span(), checksums.get());
}

PacketPool::PacketPool(uint32_t packet_data_bytes, uint32_t bytes_per_chunk)
    : packet_data_bytes_(packet_data_bytes), checksum_bytes_((packet_data_bytes / bytes_per_chunk + 2) * 4) {}

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
