// Block reports as the namenode's block manager processes them from a registered datanode:
// full and incremental reports naming known and unknown blocks, any stamps, lengths and
// states. The input is a selector byte (which node, which kind of report), then the
// report's protobuf bytes. Whatever a report says, it changes replicas only: the namenode
// must still know exactly the blocks it had, and a node holds no more of them than exist.
#include <cstdlib>
#include <string>

#include "cairn/datanode_protocol.pb.h"
#include "namenode/blocks/block_manager.h"
#include "namenode/blocks/datanode_manager.h"
#include "namenode/blocks/placement_policy.h"
#include "tests/fuzz/fuzz_target.h"

using namespace cairn;
using namespace cairn::namenode;

namespace {
constexpr int kNodes = 3;
constexpr uint64_t kBlocks = 6;
constexpr uint64_t kFirstBlock = 1073741825;

std::string Uuid(int i) { return "dn-" + std::to_string(i); }

BlockReplica Replica(uint64_t id, uint64_t bytes, BlockReplica::State state = BlockReplica::FINALIZED) {
  BlockReplica r;
  r.set_block_id(id);
  r.set_gen_stamp(1001);
  r.set_num_bytes(bytes);
  r.set_state(state);
  return r;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > (1 << 16)) return 0;
  DatanodeManagerOptions options;
  options.block_pool_id = "BP-fuzz";
  DatanodeManager nodes(options, Topology());
  PlacementPolicy placement;
  BlockManager blocks({.block_pool_id = "BP-fuzz", .min_replication = 1}, nodes, placement);
  for (int i = 0; i < kNodes; ++i) {
    RegisterDatanodeRequest reg;
    reg.mutable_id()->set_datanodeuuid(Uuid(i));
    reg.mutable_id()->set_ipaddr("10.0.0." + std::to_string(i + 1));
    reg.mutable_id()->set_xferport(9866);
    auto registered = nodes.Register(reg, "10.0.0." + std::to_string(i + 1));
    if (!registered.ok()) std::abort();
    blocks.NodeRegistered(registered->index);
  }
  for (uint64_t k = 0; k < kBlocks; ++k) {
    const bool open = k == kBlocks - 1;  // the last one is still being written
    blocks.AddBlock(kFirstBlock + k, 16386 + k, 1001, open ? 0 : 1000 * (k + 1), 2,
                    open ? BlockState::kUnderConstruction : BlockState::kComplete, open ? std::vector<uint32_t>{0, 1}
                                                                                         : std::vector<uint32_t>{});
  }
  BlockReportRequest first;  // node 0 holds every complete block
  for (uint64_t k = 0; k + 1 < kBlocks; ++k) *first.add_replicas() = Replica(kFirstBlock + k, 1000 * (k + 1));
  blocks.ProcessFullReport(0, first);

  const uint32_t node = data[0] % kNodes;
  if (data[0] & 0x80) {
    IncrementalBlockReportRequest report;
    if (!report.ParseFromArray(data + 1, static_cast<int>(size - 1))) return 0;
    blocks.ProcessIncrementalReport(node, report);
  } else {
    BlockReportRequest report;
    if (!report.ParseFromArray(data + 1, static_cast<int>(size - 1))) return 0;
    blocks.ProcessFullReport(node, report);
  }
  (void)blocks.RunReplicationRound(16);
  if (blocks.Stats().blocks != kBlocks) std::abort();
  for (uint32_t n = 0; n < kNodes; ++n) {
    if (blocks.NodeBlockCount(n) > kBlocks) std::abort();
  }
  return 0;
}

std::vector<std::string> CairnFuzzSeeds() {
  BlockReportRequest full;
  full.set_datanode_uuid(Uuid(1));
  *full.add_replicas() = Replica(kFirstBlock, 1000);
  *full.add_replicas() = Replica(kFirstBlock + 1, 999);                           // wrong length
  *full.add_replicas() = Replica(kFirstBlock + kBlocks - 1, 512, BlockReplica::RBW);  // being written
  *full.add_replicas() = Replica(kFirstBlock + 100, 10);                          // unknown
  BlockReplica newer = Replica(kFirstBlock + 2, 3000);
  newer.set_gen_stamp(2002);
  *full.add_replicas() = newer;
  IncrementalBlockReportRequest incremental;
  incremental.set_datanode_uuid(Uuid(2));
  auto* received = incremental.add_blocks();
  *received->mutable_replica() = Replica(kFirstBlock + 3, 4000);
  received->set_kind(ReceivedDeletedBlock::RECEIVED);
  auto* receiving = incremental.add_blocks();
  *receiving->mutable_replica() = Replica(kFirstBlock + kBlocks - 1, 100, BlockReplica::RBW);
  receiving->set_kind(ReceivedDeletedBlock::RECEIVING);
  auto* deleted = incremental.add_blocks();
  *deleted->mutable_replica() = Replica(kFirstBlock, 1000);
  deleted->set_kind(ReceivedDeletedBlock::DELETED);
  BlockReportRequest empty;
  return {std::string(1, '\1') + full.SerializeAsString(), std::string(1, '\x82') + incremental.SerializeAsString(),
          std::string(1, '\0') + empty.SerializeAsString()};
}
