// Start-up scan of one volume: finds the finalized and RBW replicas in its directories and
// repairs what a crash can leave behind:
//  - a replica whose meta file was moved (finalize, append) but whose data file was not:
//    the data file follows its meta file;
//  - stale meta files of an older generation stamp: removed;
//  - meta files without data: removed;
//  - an RBW replica whose tail was not fully written: truncated to the longest prefix
//    whose last chunk matches its CRC.
// Data files without any meta file are logged and left alone.
//
// Thread-safety: one thread per volume; touches only that volume's files.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "datanode/store/replica.h"

namespace cairn::datanode {

struct ScannedReplica {
  uint64_t block_id = 0;
  uint64_t gen_stamp = 0;
  ReplicaState state = ReplicaState::kFinalized;
  std::string dir;           // holds both files
  uint64_t length = 0;       // valid data bytes
  ChecksumSpec checksum;
  uint64_t file_bytes = 0;   // data + meta file sizes after repair
};

Result<std::vector<ScannedReplica>> ScanVolume(const std::string& volume_root);

// Valid length of an RBW replica's data: at most data_size and what the meta CRCs cover,
// shortened chunk by chunk from the end until the last chunk matches its CRC.
//
// The last chunk is the one a writer updates in place, so after a crash (or a power
// cut) its CRC may cover fewer bytes than the data file holds (the data landed, the CRC
// did not: the longest prefix its CRC covers is kept) or more (the CRC landed, the data
// past the last sync did not). In the second case no prefix matches, and the bytes on
// disk, which an hsync may have promised to readers, are kept: *tail_crc is set to
// their CRC, which the caller writes in place of the stale one. Earlier chunks, written
// once, are never excused.
Result<uint64_t> ValidRbwLength(int data_fd, int meta_fd, const ChecksumSpec& checksum, uint64_t data_size,
                                uint64_t meta_size, std::optional<uint32_t>* tail_crc);

// CRC of data bytes [chunk_start, end) read from the file (a partial last chunk).
Result<uint32_t> ChunkCrcFromFile(int data_fd, const ChecksumSpec& checksum, uint64_t chunk_start, uint64_t end);

}  // namespace cairn::datanode
