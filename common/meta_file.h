// The block metadata (.meta) file, byte for byte as HDFS writes it:
//   u16 big-endian version (1) | u8 checksum type (1 CRC32, 2 CRC32C) |
//   u32 big-endian bytesPerChecksum | one u32 big-endian CRC per chunk of the data file.
// The last chunk may be partial; its CRC covers just the bytes present.
//
// Thread-safety: pure functions and values.
#pragma once

#include <cstdint>
#include <span>

#include "common/checksum.h"
#include "common/status.h"

namespace cairn {

constexpr uint16_t kMetaVersion = 1;
constexpr size_t kMetaHeaderSize = 7;
constexpr size_t kCrcSize = 4;  // CRC32 and CRC32C alike
// Largest chunk we accept from a peer (HDFS uses 512 bytes; anything up to this works).
constexpr uint32_t kMaxBytesPerChecksum = 1024 * 1024;

// How a replica's data is checksummed.
struct ChecksumSpec {
  ChecksumType type = ChecksumType::kCrc32c;
  uint32_t bytes_per_checksum = kDefaultBytesPerChecksum;

  bool operator==(const ChecksumSpec&) const = default;
  // CRC32 or CRC32C with 1..kMaxBytesPerChecksum bytes per chunk.
  Status Validate() const;
  uint64_t ChunkCount(uint64_t data_len) const { return (data_len + bytes_per_checksum - 1) / bytes_per_checksum; }
  uint32_t Crc(const uint8_t* data, size_t len, uint32_t crc = 0) const {
    return type == ChecksumType::kCrc32 ? Crc32(data, len, crc) : Crc32c(data, len, crc);
  }
};

void EncodeMetaHeader(const ChecksumSpec& spec, uint8_t out[kMetaHeaderSize]);
// Checks version, type and bytesPerChecksum.
Result<ChecksumSpec> DecodeMetaHeader(std::span<const uint8_t> header);

// Byte offset in the meta file of chunk i's CRC.
inline uint64_t MetaOffsetOfChunk(uint64_t chunk) { return kMetaHeaderSize + chunk * kCrcSize; }
// Size of the meta file for data_len bytes of data.
inline uint64_t MetaFileSize(const ChecksumSpec& spec, uint64_t data_len) {
  return MetaOffsetOfChunk(spec.ChunkCount(data_len));
}

}  // namespace cairn
