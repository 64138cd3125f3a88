// getFileInfo / getFileLinkInfo: the status of one path, or an empty reply when it does
// not exist (HDFS answers null, not an error). Symlinks are not resolved by the namenode,
// so both calls describe a link itself.
#include "namenode/ops/file_status.h"
#include "namenode/ops/op_util.h"
#include "namenode/ops/ops.h"

namespace cairn::namenode {

namespace {
Status Stat(NameSystem& nn, const CallContext& caller, const std::string& src, hh::HdfsFileStatusProto* out,
            bool* found) {
  PermissionChecker pc = MakeChecker(nn, caller);
  return nn.ns.Read([&](const InodeTree& tree) -> Status {
    ASSIGN_OR_RETURN(ResolvedPath p, tree.Resolve(src));
    RETURN_IF_ERROR(pc.CheckTraverse(p));
    *found = p.last() != nullptr;
    if (*found) FillFileStatus(*p.last(), "", out);
    return Status::OK();
  });
}
}  // namespace

Status GetFileInfo(NameSystem& nn, const CallContext& caller, const hh::GetFileInfoRequestProto& req,
                   hh::GetFileInfoResponseProto* resp) {
  hh::HdfsFileStatusProto status;
  bool found = false;
  RETURN_IF_ERROR(Stat(nn, caller, req.src(), &status, &found));
  if (found) *resp->mutable_fs() = std::move(status);
  return Status::OK();
}

Status GetFileLinkInfo(NameSystem& nn, const CallContext& caller, const hh::GetFileLinkInfoRequestProto& req,
                       hh::GetFileLinkInfoResponseProto* resp) {
  hh::HdfsFileStatusProto status;
  bool found = false;
  RETURN_IF_ERROR(Stat(nn, caller, req.src(), &status, &found));
  if (found) *resp->mutable_fs() = std::move(status);
  return Status::OK();
}

}  // namespace cairn::namenode
