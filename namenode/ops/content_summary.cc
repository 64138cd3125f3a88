// getContentSummary: length, file and directory counts and space used under a path.
// Cairn has no quotas, so both quotas are -1 as in HDFS without one.
#include "namenode/ops/op_util.h"
#include "namenode/ops/ops.h"

namespace cairn::namenode {

Status GetContentSummary(NameSystem& nn, const CallContext& caller, const hh::GetContentSummaryRequestProto& req,
                         hh::GetContentSummaryResponseProto* resp) {
  PermissionChecker pc = MakeChecker(nn, caller);
  return nn.ns.Read([&](const InodeTree& tree) -> Status {
    ASSIGN_OR_RETURN(ResolvedPath p, ResolveExisting(tree, req.path(), pc));
    RETURN_IF_ERROR(pc.CheckSubtree(tree, *p.last(), kActionReadExecute));
    uint64_t length = 0, files = 0, dirs = 0, space = 0;
    std::vector<const Inode*> stack = {p.last()};
    while (!stack.empty()) {
      const Inode* n = stack.back();
      stack.pop_back();
      if (n->is_dir()) {
        ++dirs;
        for (const auto& [name, child] : n->children) stack.push_back(child);
      } else {
        ++files;
        const uint64_t len = n->is_file() ? n->FileLength() : 0;
        length += len;
        space += len * n->rec.replication();
      }
    }
    auto* s = resp->mutable_summary();
    s->set_length(length);
    s->set_filecount(files);
    s->set_directorycount(dirs);
    s->set_quota(static_cast<uint64_t>(-1));
    s->set_spaceconsumed(space);
    s->set_spacequota(static_cast<uint64_t>(-1));
    return Status::OK();
  });
}

}  // namespace cairn::namenode
