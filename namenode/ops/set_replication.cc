// setReplication: a file's target replica count; the replication monitor adds or removes
// replicas to match. Directories and missing paths answer false, as in HDFS.
#include "namenode/ops/op_util.h"
#include "namenode/ops/ops.h"

namespace cairn::namenode {

Status SetReplication(NameSystem& nn, const CallContext& caller, const hh::SetReplicationRequestProto& req,
                      hh::SetReplicationResponseProto* resp) {
  RETURN_IF_ERROR(CheckNotInSafeMode(nn, "set replication for", req.src()));
  const auto& s = nn.settings;
  if (req.replication() < static_cast<uint32_t>(s.min_replication) ||
      req.replication() > static_cast<uint32_t>(s.max_replication))
    return InvalidArgument("Requested replication factor of {} for {} is outside [{}, {}]", req.replication(),
                           req.src(), s.min_replication, s.max_replication);
  PermissionChecker pc = MakeChecker(nn, caller);
  resp->set_result(false);
  return nn.ns.Mutate([&](Mutation& m) -> Status {
    ASSIGN_OR_RETURN(ResolvedPath p, m.tree().Resolve(req.src()));
    RETURN_IF_ERROR(pc.CheckTraverse(p));
    Inode* file = p.last();
    if (file == nullptr || !file->is_file()) return Status::OK();
    RETURN_IF_ERROR(pc.CheckAccess(p, p.depth(), kActionWrite));
    resp->set_result(true);
    if (file->rec.replication() == req.replication()) return Status::OK();
    file->rec.set_replication(req.replication());
    m.Changed(file);
    for (const auto& b : file->rec.blocks()) nn.blocks.SetReplication(b.block_id(), req.replication());
    return Status::OK();
  });
}

}  // namespace cairn::namenode
