#include "datanode/store/replica.h"

#include <fmt/format.h>

namespace cairn::datanode {

std::string_view ReplicaStateName(ReplicaState state) {
  switch (state) {
    case ReplicaState::kFinalized: return "FINALIZED";
    case ReplicaState::kRbw: return "RBW";
    case ReplicaState::kTemporary: return "TEMPORARY";
  }
  return "UNKNOWN";
}

std::string BlockName(uint64_t block_id, uint64_t gen_stamp) {
  return fmt::format("blk_{}_{}", static_cast<int64_t>(block_id), gen_stamp);
}

std::string ReplicaInfo::Name() const { return BlockName(block_id, gen_stamp); }

}  // namespace cairn::datanode
