#include "namenode/ops/lease_recovery.h"

#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "namenode/ops/op_util.h"

namespace cairn::namenode {

bool TryCloseAbandonedFile(NameSystem& nn, Mutation& m, Inode* file) {
  auto* blocks = file->rec.mutable_blocks();
  if (!blocks->empty()) {
    BlockRecord& last = (*blocks)[blocks->size() - 1];
    std::optional<BlockInfo> info = nn.blocks.Get(last.block_id());
    std::vector<const ReplicaInfo*> live;
    if (info) {
      for (const auto& r : info->replicas) {
        if (!r.corrupt && !r.excess && r.gen_stamp >= last.gen_stamp()) live.push_back(&r);
      }
    }
    if (live.empty()) {
      if (last.num_bytes() != 0) return false;  // data was acknowledged somewhere; wait for reports
      std::vector<BlockRecord> dropped = {last};
      blocks->RemoveLast();
      m.Changed(file);
      m.AfterDurable([&blocks = nn.blocks, dropped] { blocks.RemoveBlocks(dropped); });
    } else {
      const ReplicaInfo* first = live.front();
      for (const ReplicaInfo* r : live) {
        if (!r->finalized || r->num_bytes != first->num_bytes || r->gen_stamp != first->gen_stamp) return false;
      }
      last.set_num_bytes(first->num_bytes);
      last.set_gen_stamp(first->gen_stamp);
      m.Changed(file);
      nn.blocks.UpdateBlock(last.block_id(), first->gen_stamp, first->num_bytes, std::nullopt);
      nn.blocks.CommitBlock(last.block_id(), first->num_bytes);
    }
  }
  spdlog::info("lease recovery closed inode {} (holder {})", file->id(), file->lease_holder());
  FinishFile(nn, m, file, WallMillis());
  return true;
}

// An open file held by someone else: recover it if its holder went quiet, else refuse.
Status TakeOverOrRefuse(NameSystem& nn, Mutation& m, Inode* file, std::string_view op, std::string_view src,
                        const CallContext& caller, std::string_view client) {
  const std::string holder = file->lease_holder();
  if (holder == client)
    return AlreadyBeingCreated("Failed to {} {} for {} on {} because the current leaseholder is trying to recreate "
                               "the file.",
                               op, src, client, caller.client_address);
  if (nn.leases.SoftLimitExpired(holder) && TryCloseAbandonedFile(nn, m, file)) return Status::OK();
  return AlreadyBeingCreated("Failed to {} {} for {} on {} because this file lease is currently owned by {} on {}",
                             op, src, client, caller.client_address, holder,
                             file->rec.under_construction().client_machine());
}

void RevokeLease(NameSystem& nn, Mutation& m, Inode* file) {
  if (file->lease_holder() == kNamenodeLeaseHolder) return;
  nn.leases.Remove(file->lease_holder(), file->id());
  file->rec.mutable_under_construction()->set_client_name(kNamenodeLeaseHolder);
  m.Changed(file);
  nn.leases.Add(kNamenodeLeaseHolder, file->id());
}

void RecoverExpiredLeases(NameSystem& nn) {
  std::vector<LeaseManager::Expired> expired = nn.leases.HardLimitExpired();
  if (expired.empty() || nn.safe_mode.IsOn()) return;
  Status st = nn.ns.Mutate([&](Mutation& m) -> Status {
    for (const auto& lease : expired) {
      for (uint64_t id : lease.files) {
        Inode* file = m.tree().Find(id);
        if (file == nullptr || !file->is_file() || !file->under_construction() ||
            file->lease_holder() != lease.client) {
          nn.leases.Remove(lease.client, id);
          continue;
        }
        if (!TryCloseAbandonedFile(nn, m, file)) RevokeLease(nn, m, file);
      }
    }
    return Status::OK();
  });
  if (!st.ok()) spdlog::warn("lease recovery sweep failed: {}", st.ToString());
}

}  // namespace cairn::namenode
