#include "datanode/transfer/packet_plan.h"

#include <cstring>

#include "common/endian.h"

namespace cairn::datanode {

Result<PacketWrite> PlanPacketWrite(const ChecksumSpec& disk, uint64_t bytes_on_disk, uint32_t last_crc,
                                    const ChecksumSpec& client, uint64_t packet_offset,
                                    std::span<const uint8_t> data, std::span<const uint8_t> client_crcs,
                                    std::vector<uint8_t>* crc_buf) {
  const uint64_t o = packet_offset, d = bytes_on_disk, end = o + data.size();
  if (o > d) return InvalidArgument("packet at offset {} leaves a gap after the {} bytes on disk", o, d);
  PacketWrite w;
  w.offset = d;
  w.last_crc = last_crc;
  w.first_chunk = d / disk.bytes_per_checksum;
  if (end <= d) return w;  // a resend of bytes already written

  const uint64_t bpc = disk.bytes_per_checksum;
  const bool reuse = client == disk && o % bpc == 0;
  const uint64_t last_chunk = (end - 1) / bpc;
  crc_buf->resize((last_chunk - w.first_chunk + 1) * kCrcSize);
  uint8_t* out = crc_buf->data();
  for (uint64_t k = w.first_chunk; k <= last_chunk; ++k, out += kCrcSize) {
    uint64_t cs = k * bpc, ce = std::min(end, cs + bpc);
    uint32_t crc;
    if (reuse && cs >= o) {
      std::memcpy(out, client_crcs.data() + (cs - o) / bpc * kCrcSize, kCrcSize);
      crc = LoadBigEndian32(out);
    } else if (cs < d) {
      crc = disk.Crc(data.data() + (d - o), ce - d, last_crc);
      StoreBigEndian32(out, crc);
    } else {
      crc = disk.Crc(data.data() + (cs - o), ce - cs);
      StoreBigEndian32(out, crc);
    }
    w.last_crc = crc;
  }
  w.data = data.subspan(d - o);
  w.crcs = {crc_buf->data(), crc_buf->size()};
  return w;
}

}  // namespace cairn::datanode
