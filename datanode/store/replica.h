// ReplicaInfo: what the datanode knows about one replica at one moment (a copy; the store
// may have moved on since). A replica is FINALIZED (complete, immutable until an append),
// RBW (being written, readable up to the bytes the pipeline acknowledged) or TEMPORARY (a
// transfer in progress: invisible to readers and block reports until it completes).
#pragma once

#include <cstdint>
#include <string>

#include "common/meta_file.h"

namespace cairn::datanode {

enum class ReplicaState : uint8_t { kFinalized, kRbw, kTemporary };

std::string_view ReplicaStateName(ReplicaState state);

struct ReplicaInfo {
  uint64_t block_id = 0;
  uint64_t gen_stamp = 0;
  ReplicaState state = ReplicaState::kFinalized;
  uint64_t bytes_on_disk = 0;  // data bytes written, each covered by a CRC in the meta file
  uint64_t bytes_acked = 0;    // RBW: bytes acknowledged downstream (readable); finalized: length
  ChecksumSpec checksum;
  std::string storage_id;      // the volume's "DS-<uuid>"
  int volume = -1;
  bool corrupt = false;        // failed checksum verification: never served, reported to the namenode

  // What readers may see: the length of a finalized replica, the acknowledged bytes of RBW.
  uint64_t visible_length() const { return state == ReplicaState::kFinalized ? bytes_on_disk : bytes_acked; }
  // "blk_<id>_<gs>" for messages.
  std::string Name() const;
};

std::string BlockName(uint64_t block_id, uint64_t gen_stamp);

}  // namespace cairn::datanode
