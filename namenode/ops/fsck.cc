// fsck (Cairn admin): walks a subtree and reports, per file, each block's replicas and
// health, plus cluster totals, like `hdfs fsck -files -blocks -locations -racks`.
#include <algorithm>
#include <set>

#include "common/path.h"

#include "namenode/ops/op_util.h"
#include "namenode/ops/ops.h"

namespace cairn::namenode {

namespace {
struct FsckContext {
  const NameSystem& nn;
  const std::vector<NodeView>& nodes;
  size_t live_racks = 0;
  bool include_blocks = true;
  FsckResponse* resp = nullptr;
};

FsckBlock::Health CheckBlock(const FsckContext& c, const BlockRecord& b, uint32_t replication, bool open_block,
                             FsckBlock* out) {
  out->set_block_id(b.block_id());
  out->set_gen_stamp(b.gen_stamp());
  out->set_num_bytes(b.num_bytes());
  out->set_expected_replication(replication);
  std::optional<BlockInfo> info = c.nn.blocks.Get(b.block_id());
  int good = 0, readable = 0, corrupt = 0;
  std::set<std::string> racks;
  if (info) {
    open_block = open_block || info->state == BlockState::kUnderConstruction;
    for (const auto& r : info->replicas) {
      if (r.excess) continue;
      FsckReplica* rep = out->add_replicas();
      const bool counts = BlockManager::ReplicaCounts(*info, r);
      bool decommissioning = false;
      if (r.node < c.nodes.size()) {
        const NodeView& n = c.nodes[r.node];
        rep->set_datanode(fmt::format("{}:{}", n.ip, n.xfer_port));
        rep->set_datanode_uuid(n.uuid);
        rep->set_rack(n.rack);
        rep->set_stale(n.stale);
        decommissioning = n.decommissioning;
        if (counts && !decommissioning) racks.insert(n.rack);
      }
      rep->set_corrupt(r.corrupt);
      rep->set_decommissioning(decommissioning);
      // Copies on decommissioning nodes can be read but are about to go: they do not count.
      good += counts && !decommissioning ? 1 : 0;
      readable += counts ? 1 : 0;
      corrupt += r.corrupt ? 1 : 0;
    }
  }
  FsckBlock::Health health;
  if (open_block) health = FsckBlock::UNDER_CONSTRUCTION;
  else if (readable == 0) health = corrupt > 0 ? FsckBlock::CORRUPT : FsckBlock::MISSING;
  else if (good < static_cast<int>(replication)) health = FsckBlock::UNDER_REPLICATED;
  else if (good > static_cast<int>(replication)) health = FsckBlock::OVER_REPLICATED;
  else health = FsckBlock::HEALTHY;
  out->set_health(health);
  // As HDFS: a replicated block should span two racks when the cluster has them.
  const size_t racks_wanted = replication > 1 ? std::min<size_t>(2, c.live_racks) : 1;
  out->set_mis_replicated(!open_block && good > 0 && racks.size() < racks_wanted);
  return health;
}

void CheckFile(FsckContext& c, const Inode& file, const std::string& path) {
  FsckResponse* resp = c.resp;
  FsckFile* f = resp->add_files();
  f->set_path(path);
  f->set_length(file.FileLength());
  f->set_replication(file.rec.replication());
  f->set_under_construction(file.under_construction());
  bool healthy = true;
  // Worst first: a file with a corrupt block is corrupt, then missing, then under-replicated.
  auto rank = [](FsckBlock::Health h) {
    switch (h) {
      case FsckBlock::CORRUPT: return 4;
      case FsckBlock::MISSING: return 3;
      case FsckBlock::UNDER_REPLICATED: return 2;
      case FsckBlock::UNDER_CONSTRUCTION: return 1;
      default: return 0;
    }
  };
  FsckBlock::Health file_health = FsckBlock::HEALTHY;
  const auto& blocks = file.rec.blocks();
  for (int i = 0; i < blocks.size(); ++i) {
    FsckBlock block;
    const bool open_block = file.under_construction() && i + 1 == blocks.size();
    FsckBlock::Health h = CheckBlock(c, blocks[i], file.rec.replication(), open_block, &block);
    if (rank(h) > rank(file_health)) file_health = h;
    resp->set_total_blocks(resp->total_blocks() + 1);
    resp->set_total_bytes(resp->total_bytes() + blocks[i].num_bytes());
    switch (h) {
      case FsckBlock::HEALTHY: resp->set_healthy_blocks(resp->healthy_blocks() + 1); break;
      case FsckBlock::UNDER_REPLICATED:
        resp->set_under_replicated_blocks(resp->under_replicated_blocks() + 1);
        break;
      case FsckBlock::OVER_REPLICATED: resp->set_over_replicated_blocks(resp->over_replicated_blocks() + 1); break;
      case FsckBlock::MISSING:
        resp->set_missing_blocks(resp->missing_blocks() + 1);
        healthy = false;
        break;
      case FsckBlock::CORRUPT:
        resp->set_corrupt_blocks(resp->corrupt_blocks() + 1);
        healthy = false;
        break;
      case FsckBlock::UNDER_CONSTRUCTION: break;
    }
    if (block.mis_replicated()) resp->set_mis_replicated_blocks(resp->mis_replicated_blocks() + 1);
    if (c.include_blocks) *f->add_blocks() = std::move(block);
  }
  f->set_healthy(healthy);
  f->set_health(file_health);
}
}  // namespace

Status Fsck(NameSystem& nn, const CallContext& caller, const FsckRequest& req, FsckResponse* resp) {
  PermissionChecker pc = MakeChecker(nn, caller);
  const std::vector<NodeView> nodes = nn.datanodes.Snapshot();
  const DatanodeManager::Totals totals = nn.datanodes.GetTotals();
  const std::string root = req.path().empty() ? "/" : req.path();
  FsckContext c{nn, nodes, PlacementPolicy::LiveRacks(nodes), req.include_blocks(), resp};
  resp->set_total_files(0);
  resp->set_total_dirs(0);
  resp->set_total_bytes(0);
  resp->set_total_blocks(0);
  RETURN_IF_ERROR(nn.ns.Read([&](const InodeTree& tree) -> Status {
    ASSIGN_OR_RETURN(ResolvedPath p, ResolveExisting(tree, root, pc));
    RETURN_IF_ERROR(pc.CheckSubtree(tree, *p.last(), kActionReadExecute));
    std::vector<std::pair<const Inode*, std::string>> stack = {{p.last(), tree.PathOf(p.last())}};
    while (!stack.empty()) {
      auto [n, path] = std::move(stack.back());
      stack.pop_back();
      if (n->is_dir()) {
        resp->set_total_dirs(resp->total_dirs() + 1);
        // Reverse order on the stack gives name order in the report.
        const size_t first = stack.size();
        for (const auto& [name, child] : n->children) stack.emplace_back(child, JoinPath(path, name));
        std::reverse(stack.begin() + static_cast<std::ptrdiff_t>(first), stack.end());
      } else if (n->is_file()) {
        resp->set_total_files(resp->total_files() + 1);
        CheckFile(c, *n, path);
      }
    }
    return Status::OK();
  }));
  resp->set_live_datanodes(totals.live);
  resp->set_dead_datanodes(totals.dead);
  resp->set_default_replication(static_cast<uint32_t>(nn.settings.default_replication));
  resp->set_healthy(resp->missing_blocks() == 0 && resp->corrupt_blocks() == 0);
  return Status::OK();
}

}  // namespace cairn::namenode
