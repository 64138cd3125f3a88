// complete: the writer is done. The last block's length is committed; the file closes once
// every block has its minimum replicas. The call waits (without the namespace lock) up to
// namenode_complete_wait_ms for the datanodes' reports before answering false, because
// some clients never retry a false.
#include "common/clock.h"
#include "namenode/ops/op_util.h"
#include "namenode/ops/ops.h"

namespace cairn::namenode {

namespace {
// One attempt under the namespace lock. *closed tells whether the file is closed now;
// otherwise *wait_for names a block still short of replicas.
Status TryComplete(NameSystem& nn, Mutation& m, const hh::CompleteRequestProto& req, bool* closed,
                   uint64_t* wait_for) {
  ASSIGN_OR_RETURN(Inode* file, ResolveOpenFile(m.tree(), req.src(), req.fileid()));
  auto* blocks = file->rec.mutable_blocks();
  const int n = blocks->size();
  if (!file->under_construction()) {
    // A retry of a complete that already succeeded.
    if (!req.has_last() || (n > 0 && (*blocks)[n - 1].block_id() == req.last().blockid())) {
      *closed = true;
      return Status::OK();
    }
    return CheckLease(*file, req.src(), req.clientname());
  }
  RETURN_IF_ERROR(CheckLease(*file, req.src(), req.clientname()));
  if (req.has_last()) {
    if (n == 0 || (*blocks)[n - 1].block_id() != req.last().blockid())
      return InvalidArgument("blk_{} is not the last block of {}", req.last().blockid(), req.src());
    BlockRecord& last = (*blocks)[n - 1];
    if (last.gen_stamp() != req.last().generationstamp())
      return InvalidArgument("blk_{}_{} does not match the namenode's generation stamp {}", last.block_id(),
                             req.last().generationstamp(), last.gen_stamp());
    std::optional<BlockInfo> info = nn.blocks.Get(last.block_id());
    if (last.num_bytes() != req.last().numbytes() || (info && info->state == BlockState::kUnderConstruction)) {
      last.set_num_bytes(req.last().numbytes());
      m.Changed(file);
      nn.blocks.CommitBlock(last.block_id(), last.num_bytes());
    }
  } else if (n > 0) {
    nn.blocks.CommitBlock((*blocks)[n - 1].block_id(), (*blocks)[n - 1].num_bytes());
  }
  // Earlier blocks must be complete; the last one needs its minimum replicas now.
  for (int i = 0; i < n; ++i) {
    const uint64_t id = (*blocks)[i].block_id();
    if (i + 1 < n ? !nn.blocks.IsComplete(id) : !nn.blocks.MinimallyReplicated(id)) {
      *wait_for = id;
      return Status::OK();
    }
  }
  FinishFile(nn, m, file, WallMillis());
  *closed = true;
  return Status::OK();
}
}  // namespace

Status CompleteWithoutWaiting(NameSystem& nn, const CallContext& caller, const hh::CompleteRequestProto& req,
                              hh::CompleteResponseProto* resp, uint64_t* wait_for) {
  RETURN_IF_ERROR(CheckNotInSafeMode(nn, "complete file", req.src()));
  bool closed = false;
  *wait_for = 0;
  RETURN_IF_ERROR(nn.ns.Mutate([&](Mutation& m) { return TryComplete(nn, m, req, &closed, wait_for); }));
  resp->set_result(closed);
  return Status::OK();
}

Status Complete(NameSystem& nn, const CallContext& caller, const hh::CompleteRequestProto& req,
                hh::CompleteResponseProto* resp) {
  const int64_t deadline = MonotonicMillis() + nn.settings.complete_wait_ms;
  while (true) {
    uint64_t wait_for = 0;
    RETURN_IF_ERROR(CompleteWithoutWaiting(nn, caller, req, resp, &wait_for));
    if (resp->result() || MonotonicMillis() >= deadline) return Status::OK();
    nn.blocks.WaitForMinReplicas(wait_for, deadline);
  }
}

}  // namespace cairn::namenode
