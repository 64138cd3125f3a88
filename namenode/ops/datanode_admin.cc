// datanodeAdmin (Cairn admin): decommission and recommission datanodes, and report each
// node's admin state, decommission progress and failed volumes. The set of nodes to keep
// decommissioned is persisted in the namespace store before anything changes in memory,
// so a restarted namenode goes on draining them (and never counts their replicas).
#include <set>

#include "namenode/ops/op_util.h"
#include "namenode/ops/ops.h"
#include "namenode/store/keys.h"

namespace cairn::namenode {

namespace {
void FillStatus(const NameSystem& nn, uint32_t index, DatanodeAdminStatus* out) {
  std::optional<NodeView> v = nn.datanodes.View(index);
  if (!v) return;
  const AdminState state = nn.datanodes.GetAdminState(index);
  out->set_datanode(fmt::format("{}:{}", v->ip, v->xfer_port));
  out->set_datanode_uuid(v->uuid);
  out->set_admin_state(std::string(AdminStateName(state)));
  out->set_live(v->alive);
  // Progress means a walk over the node's blocks: only for nodes being drained.
  if (state == AdminState::kDecommissioning) {
    BlockManager::DecommissionProgress p = nn.blocks.Decommission(index);
    out->set_blocks(p.blocks);
    out->set_blocks_pending(p.pending);
  } else {
    out->set_blocks(nn.blocks.NodeBlockCount(index));
    out->set_blocks_pending(0);
  }
  DatanodeManager::VolumeFailures failures = nn.datanodes.FailedVolumes(index);
  out->set_failed_volumes(failures.failed);
  for (auto& d : failures.details) out->add_volume_failures(std::move(d));
}
}  // namespace

Status DatanodeAdmin(NameSystem& nn, const CallContext& caller, const DatanodeAdminRequest& req,
                     DatanodeAdminResponse* resp) {
  const bool change = req.action() != DatanodeAdminRequest::STATUS;
  if (change && !MakeChecker(nn, caller).is_superuser())
    return PermissionDenied("Access denied for user {}. Superuser privilege is required", caller.user);
  if (change && req.datanodes_size() == 0) return InvalidArgument("name the datanodes (ip:port) to change");
  std::vector<uint32_t> nodes;
  for (const auto& name : req.datanodes()) {
    std::optional<uint32_t> index = nn.datanodes.FindByAddress(name);
    if (!index) return NotFound("no datanode has registered as {} (use ip:xferPort or hostname:xferPort)", name);
    nodes.push_back(*index);
  }
  if (change) {
    const bool decommission = req.action() == DatanodeAdminRequest::DECOMMISSION;
    std::vector<std::string> current = nn.datanodes.DecommissionedAddresses();
    std::set<std::string> wanted(current.begin(), current.end());
    for (uint32_t index : nodes) {
      std::optional<NodeView> v = nn.datanodes.View(index);
      const std::string address = fmt::format("{}:{}", v->ip, v->xfer_port);
      if (decommission) wanted.insert(address);
      else wanted.erase(address);
    }
    DatanodeAdminRecord rec;
    for (const auto& a : wanted) rec.add_decommissioned(a);
    RETURN_IF_ERROR(nn.ns.Mutate([&](Mutation& m) {
      m.PutMeta(kMetaDatanodeAdmin, rec.SerializeAsString());
      return Status::OK();
    }));
    for (uint32_t index : nodes) {
      const AdminState state = nn.datanodes.GetAdminState(index);
      if (decommission && state == AdminState::kNormal) {
        nn.datanodes.SetAdminState(index, AdminState::kDecommissioning);
        nn.blocks.SetDecommissioning(index, true);
      } else if (!decommission && state != AdminState::kNormal) {
        nn.datanodes.SetAdminState(index, AdminState::kNormal);
        nn.blocks.SetDecommissioning(index, false);
      }
    }
  }
  if (nodes.empty()) {
    for (const auto& v : nn.datanodes.Snapshot()) nodes.push_back(v.index);
  }
  for (uint32_t index : nodes) FillStatus(nn, index, resp->add_datanodes());
  return Status::OK();
}

}  // namespace cairn::namenode
