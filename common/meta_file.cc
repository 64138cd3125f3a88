#include "common/meta_file.h"

#include "common/endian.h"

namespace cairn {

Status ChecksumSpec::Validate() const {
  if (type != ChecksumType::kCrc32 && type != ChecksumType::kCrc32c)
    return Unimplemented("checksum type {} is not supported (CRC32 or CRC32C)", ChecksumTypeName(type));
  if (bytes_per_checksum == 0 || bytes_per_checksum > kMaxBytesPerChecksum)
    return InvalidArgument("bytesPerChecksum {} out of range 1..{}", bytes_per_checksum, kMaxBytesPerChecksum);
  return Status::OK();
}

void EncodeMetaHeader(const ChecksumSpec& spec, uint8_t out[kMetaHeaderSize]) {
  StoreBigEndian16(out, kMetaVersion);
  out[2] = static_cast<uint8_t>(spec.type);
  StoreBigEndian32(out + 3, spec.bytes_per_checksum);
}

Result<ChecksumSpec> DecodeMetaHeader(std::span<const uint8_t> header) {
  if (header.size() < kMetaHeaderSize) return Corruption("meta header has {} of {} bytes", header.size(), kMetaHeaderSize);
  uint16_t version = LoadBigEndian16(header.data());
  if (version != kMetaVersion) return Corruption("meta file version {} (expected {})", version, kMetaVersion);
  ChecksumSpec spec;
  auto type = ChecksumTypeFromInt(header[2]);
  if (!type.ok()) return Corruption("meta file: {}", type.status().message());
  spec.type = *type;
  spec.bytes_per_checksum = LoadBigEndian32(header.data() + 3);
  Status st = spec.Validate();
  if (!st.ok()) return Corruption("meta file: {}", st.message());
  return spec;
}

}  // namespace cairn
