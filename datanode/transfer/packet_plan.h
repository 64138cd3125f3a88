// What one received write packet changes on disk: HDFS BlockReceiver's arithmetic, as a
// pure function. Given the replica (its checksum, bytes on disk, CRC of a partial last
// chunk) and a packet whose chunk CRCs were already verified, it returns the new data bytes
// (packets may resend bytes already on disk after a pipeline recovery; those are skipped)
// and the CRCs to write for the chunks they touch:
//  - a chunk the packet covers from its start, with the replica's checksum parameters and
//    chunk grid, keeps the client's CRC;
//  - the partial last chunk on disk continues from its stored CRC with the new bytes
//    (appending to a partial chunk, where the client's CRC covers only the new bytes);
//  - every other chunk (different checksum type or chunk size, unaligned packets) gets a
//    CRC computed here.
//
// Thread-safety: pure function.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/meta_file.h"
#include "common/status.h"

namespace cairn::datanode {

struct PacketWrite {
  uint64_t offset = 0;                // block offset of data[0] (the bytes on disk before)
  std::span<const uint8_t> data;      // bytes to append; empty when all are on disk already
  uint64_t first_chunk = 0;           // chunk index of crcs[0..3]
  std::span<const uint8_t> crcs;      // big-endian CRCs to (over)write
  uint32_t last_crc = 0;              // CRC of the last chunk after the write
};

// `crc_buf` holds the CRCs the result points to. kInvalidArgument when the packet starts
// beyond the bytes on disk (a gap).
Result<PacketWrite> PlanPacketWrite(const ChecksumSpec& disk, uint64_t bytes_on_disk, uint32_t last_crc,
                                    const ChecksumSpec& client, uint64_t packet_offset,
                                    std::span<const uint8_t> data, std::span<const uint8_t> client_crcs,
                                    std::vector<uint8_t>* crc_buf);

}  // namespace cairn::datanode
