// Block checksums as HDFS computes them: one 32-bit CRC per chunk of bytes_per_chunk bytes
// (512 by default), stored and sent big-endian. Two algorithms are spoken: CRC32C (Java
// clients, Cairn's own) and CRC32 (some other clients); ISA-L computes both.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "common/status.h"

namespace cairn {

// Values match hadoop.hdfs.ChecksumTypeProto.
enum class ChecksumType : uint8_t { kNull = 0, kCrc32 = 1, kCrc32c = 2 };

constexpr uint32_t kDefaultBytesPerChecksum = 512;

// Continues a CRC over more bytes; start with crc = 0.
uint32_t Crc32c(const void* data, size_t len, uint32_t crc = 0);
uint32_t Crc32(const void* data, size_t len, uint32_t crc = 0);

// Bytes of checksum per chunk for the type (0 for kNull).
size_t ChecksumSize(ChecksumType type);
std::string_view ChecksumTypeName(ChecksumType type);
Result<ChecksumType> ChecksumTypeFromInt(int value);

// Number of chunks covering len bytes.
inline size_t ChunkCount(size_t len, uint32_t bytes_per_chunk) {
  return (len + bytes_per_chunk - 1) / bytes_per_chunk;
}

// Writes ChunkCount(data.size()) big-endian CRCs to out (which must be large enough).
void ComputeChunkChecksums(ChecksumType type, uint32_t bytes_per_chunk,
                           std::span<const uint8_t> data, uint8_t* out);

// Verifies data against big-endian CRCs; on mismatch returns kChecksumMismatch naming the
// byte offset (base_offset + chunk start) of the first bad chunk.
Status VerifyChunkChecksums(ChecksumType type, uint32_t bytes_per_chunk,
                            std::span<const uint8_t> data, const uint8_t* checksums,
                            uint64_t base_offset);

}  // namespace cairn
