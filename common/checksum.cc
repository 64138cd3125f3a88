#include "common/checksum.h"

#include <isa-l/crc.h>

#include "common/endian.h"

namespace cairn {

uint32_t Crc32c(const void* data, size_t len, uint32_t crc) {
  // ISA-L's iSCSI CRC takes and returns the raw register; CRC32C pre- and post-inverts it.
  return ~crc32_iscsi(static_cast<unsigned char*>(const_cast<void*>(data)), static_cast<int>(len), ~crc);
}

uint32_t Crc32(const void* data, size_t len, uint32_t crc) {
  return crc32_gzip_refl(crc, static_cast<const unsigned char*>(data), len);
}

size_t ChecksumSize(ChecksumType type) { return type == ChecksumType::kNull ? 0 : 4; }

std::string_view ChecksumTypeName(ChecksumType type) {
  switch (type) {
    case ChecksumType::kNull: return "NULL";
    case ChecksumType::kCrc32: return "CRC32";
    case ChecksumType::kCrc32c: return "CRC32C";
  }
  return "UNKNOWN";
}

Result<ChecksumType> ChecksumTypeFromInt(int value) {
  if (value < 0 || value > 2) return InvalidArgument("unknown checksum type {}", value);
  return static_cast<ChecksumType>(value);
}

namespace {
uint32_t ChunkCrc(ChecksumType type, const uint8_t* p, size_t n) {
  return type == ChecksumType::kCrc32 ? Crc32(p, n) : Crc32c(p, n);
}
}  // namespace

void ComputeChunkChecksums(ChecksumType type, uint32_t bytes_per_chunk,
                           std::span<const uint8_t> data, uint8_t* out) {
  if (type == ChecksumType::kNull) return;
  for (size_t off = 0; off < data.size(); off += bytes_per_chunk, out += 4) {
    size_t n = std::min<size_t>(bytes_per_chunk, data.size() - off);
    StoreBigEndian32(out, ChunkCrc(type, data.data() + off, n));
  }
}

Status VerifyChunkChecksums(ChecksumType type, uint32_t bytes_per_chunk,
                            std::span<const uint8_t> data, const uint8_t* checksums,
                            uint64_t base_offset) {
  if (type == ChecksumType::kNull) return Status::OK();
  for (size_t off = 0; off < data.size(); off += bytes_per_chunk, checksums += 4) {
    size_t n = std::min<size_t>(bytes_per_chunk, data.size() - off);
    uint32_t want = LoadBigEndian32(checksums);
    uint32_t got = ChunkCrc(type, data.data() + off, n);
    if (want != got) {
      return ChecksumMismatch("{} mismatch at offset {}: stored {:08x}, computed {:08x}",
                              ChecksumTypeName(type), base_offset + off, want, got);
    }
  }
  return Status::OK();
}

}  // namespace cairn
