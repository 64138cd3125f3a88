// renewLease (cheap: one map update per call, about once a second per writing client) and
// recoverLease (close a file whose writer vanished, or take its lease away).
#include "namenode/ops/lease_recovery.h"
#include "namenode/ops/op_util.h"
#include "namenode/ops/ops.h"

namespace cairn::namenode {

Status RenewLease(NameSystem& nn, const CallContext& caller, const hh::RenewLeaseRequestProto& req,
                  hh::RenewLeaseResponseProto* resp) {
  nn.leases.Renew(req.clientname());
  return Status::OK();
}

Status RecoverLease(NameSystem& nn, const CallContext& caller, const hh::RecoverLeaseRequestProto& req,
                    hh::RecoverLeaseResponseProto* resp) {
  RETURN_IF_ERROR(CheckNotInSafeMode(nn, "recover the lease of", req.src()));
  PermissionChecker pc = MakeChecker(nn, caller);
  resp->set_result(false);
  return nn.ns.Mutate([&](Mutation& m) -> Status {
    ASSIGN_OR_RETURN(ResolvedPath p, ResolveExisting(m.tree(), req.src(), pc));
    Inode* file = p.last();
    if (!file->is_file()) return NotFound("Path is not a file: {}", req.src());
    RETURN_IF_ERROR(pc.CheckAccess(p, p.depth(), kActionWrite));
    if (!file->under_construction() || TryCloseAbandonedFile(nn, m, file)) {
      resp->set_result(true);
      return Status::OK();
    }
    RevokeLease(nn, m, file);
    return Status::OK();
  });
}

}  // namespace cairn::namenode
