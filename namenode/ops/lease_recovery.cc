#include "namenode/ops/lease_recovery.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "namenode/ops/op_util.h"

namespace cairn::namenode {

namespace {

// Starts recovery of the file's last block unless one is under way; false when there is
// nobody to ask yet.
bool StartBlockRecovery(NameSystem& nn, Mutation& m, const BlockRecord& last, const BlockInfo& info, bool truncate) {
  if (info.recovery_id != 0 &&
      MonotonicMillis() - info.recovery_started_ms < nn.settings.block_recovery_timeout_ms)
    return true;  // still waiting for the primary
  // Holders: live nodes that reported a replica at least as new as the block, then the
  // pipeline's nodes. The primary is the reporting holder heard from most recently.
  std::vector<NodeView> holders;
  auto add = [&](uint32_t node) {
    std::optional<NodeView> v = nn.datanodes.View(node);
    if (!v || !v->alive) return;
    for (const auto& h : holders)
      if (h.index == node) return;
    holders.push_back(*v);
  };
  for (const auto& r : info.replicas) {
    if (!r.corrupt && !r.excess && r.gen_stamp >= last.gen_stamp()) add(r.node);
  }
  const size_t reporting = holders.size();
  for (uint32_t n : info.expected_locations) add(n);
  if (holders.empty()) return false;
  auto primary = std::max_element(holders.begin(), holders.begin() + static_cast<std::ptrdiff_t>(std::max<size_t>(reporting, 1)),
                                  [](const NodeView& a, const NodeView& b) {
                                    return a.last_heartbeat_ms < b.last_heartbeat_ms;
                                  });
  const uint64_t recovery_id = m.NewGenStamp();
  RecoverBlockCommand cmd;
  ToExtendedBlock(nn.ns.block_pool_id(), last, cmd.mutable_block());
  cmd.set_new_gen_stamp(recovery_id);
  cmd.set_truncate(truncate);
  for (const auto& h : holders) nn.datanodes.FillInfo(h.index, cmd.add_replicas());
  nn.blocks.StartRecovery(last.block_id(), recovery_id);
  nn.datanodes.QueueRecover(primary->index, std::move(cmd));
  spdlog::info("{} recovery: blk_{}_{} goes to recovery {} led by {}:{} ({} holder(s))",
               truncate ? "truncate" : "lease", last.block_id(), last.gen_stamp(), recovery_id, primary->ip,
               primary->xfer_port, holders.size());
  return true;
}

// The file's last block when the file can close without asking datanodes (nullopt: it
// cannot yet). Every live reported replica must be finalized with one stamp and length.
std::optional<const ReplicaInfo*> AgreedFinalizedReplica(const BlockRecord& last, const BlockInfo& info) {
  const ReplicaInfo* first = nullptr;
  for (const auto& r : info.replicas) {
    if (r.corrupt || r.excess || r.gen_stamp < last.gen_stamp()) continue;
    if (!r.finalized) return std::nullopt;
    if (first != nullptr && (r.num_bytes != first->num_bytes || r.gen_stamp != first->gen_stamp)) return std::nullopt;
    if (first == nullptr) first = &r;
  }
  if (first == nullptr) return std::nullopt;
  return first;
}

}  // namespace

bool TryCloseAbandonedFile(NameSystem& nn, Mutation& m, Inode* file) {
  auto* blocks = file->rec.mutable_blocks();
  if (!blocks->empty()) {
    BlockRecord& last = (*blocks)[blocks->size() - 1];
    std::optional<BlockInfo> info = nn.blocks.Get(last.block_id());
    if (info && info->state == BlockState::kCommitted) return false;  // waits for its replicas' reports
    if (info && info->state == BlockState::kUnderConstruction) {
      // A truncate closes only once the replicas are cut to the block's recorded length.
      const bool truncating = file->rec.under_construction().truncating();
      std::optional<const ReplicaInfo*> agreed = AgreedFinalizedReplica(last, *info);
      if (agreed && truncating && (*agreed)->num_bytes != last.num_bytes()) agreed = std::nullopt;
      if (agreed) {
        const ReplicaInfo* r = *agreed;
        spdlog::info("lease recovery: blk_{}_{} of inode {} is finalized alike on every holder ({} bytes); closing "
                     "without a block recovery",
                     last.block_id(), r->gen_stamp, file->id(), r->num_bytes);
        last.set_num_bytes(r->num_bytes);
        last.set_gen_stamp(r->gen_stamp);
        m.Changed(file);
        nn.blocks.UpdateBlock(last.block_id(), r->gen_stamp, r->num_bytes, std::nullopt);
        nn.blocks.CommitBlock(last.block_id(), r->num_bytes);
      } else if (StartBlockRecovery(nn, m, last, *info, truncating)) {
        return false;  // the primary datanode's commitBlockSynchronization closes the file
      } else if (last.num_bytes() == 0) {
        // Nobody holds the block and nothing of it was promised to readers: drop it.
        std::vector<BlockRecord> dropped = {last};
        blocks->RemoveLast();
        m.Changed(file);
        m.AfterDurable([&blocks = nn.blocks, dropped] { blocks.RemoveBlocks(dropped); });
      } else {
        return false;  // data was acknowledged somewhere; wait for its holders to report
      }
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
  if (nn.leases.SoftLimitExpired(holder)) {
    if (TryCloseAbandonedFile(nn, m, file)) return Status::OK();
    RevokeLease(nn, m, file);
    return AlreadyBeingCreated("Failed to {} {} for {} on {} because lease recovery is in progress. Try again later.",
                               op, src, client, caller.client_address);
  }
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
        if (lease.client != kNamenodeLeaseHolder)
          spdlog::info("lease of {} on inode {} passed its hard limit; recovering the file", lease.client, id);
        if (!TryCloseAbandonedFile(nn, m, file)) RevokeLease(nn, m, file);
      }
    }
    return Status::OK();
  });
  if (!st.ok()) spdlog::warn("lease recovery sweep failed: {}", st.ToString());
}

Status CommitBlockSynchronization(NameSystem& nn, const CommitBlockSynchronizationRequest& req) {
  const uint64_t id = req.block().blockid();
  std::vector<uint32_t> holders;
  for (const auto& uuid : req.datanode_uuids()) {
    if (auto idx = nn.datanodes.Lookup(uuid)) holders.push_back(*idx);
  }
  return nn.ns.Mutate([&](Mutation& m) -> Status {
    std::optional<BlockInfo> info = nn.blocks.Get(id);
    if (!info) return NotFound("commitBlockSynchronization: blk_{} does not exist (its file was deleted?)", id);
    Inode* file = m.tree().Find(info->inode_id);
    if (file == nullptr || !file->is_file()) return NotFound("commitBlockSynchronization: the file of blk_{} is gone", id);
    auto* blocks = file->rec.mutable_blocks();
    if (blocks->empty() || (*blocks)[blocks->size() - 1].block_id() != id)
      return InvalidArgument("commitBlockSynchronization: blk_{} is not the last block of its file", id);
    BlockRecord& last = (*blocks)[blocks->size() - 1];
    const bool truncating = file->rec.under_construction().truncating();
    if (!file->under_construction()) {
      // The primary's first call got through but its answer did not.
      if (last.gen_stamp() == req.new_gen_stamp() && last.num_bytes() == req.new_length()) return Status::OK();
      return InvalidArgument("commitBlockSynchronization: the file of blk_{} is already closed", id);
    }
    if (info->recovery_id != req.new_gen_stamp())
      return Aborted("commitBlockSynchronization: recovery {} of blk_{} was superseded (current recovery: {})",
                     req.new_gen_stamp(), id, info->recovery_id);
    if (truncating && (req.delete_block() || req.new_length() != last.num_bytes()))
      return InvalidArgument("commitBlockSynchronization: truncate recovery {} of blk_{} must keep {} bytes, not {}",
                             req.new_gen_stamp(), id, last.num_bytes(), req.delete_block() ? 0 : req.new_length());
    if (req.delete_block()) {
      std::vector<BlockRecord> dropped = {last};
      blocks->RemoveLast();
      m.AfterDurable([&bm = nn.blocks, dropped] { bm.RemoveBlocks(dropped); });
    } else {
      last.set_gen_stamp(req.new_gen_stamp());
      last.set_num_bytes(req.new_length());
      nn.blocks.UpdateBlock(id, req.new_gen_stamp(), req.new_length(), holders);
      nn.blocks.CommitBlock(id, req.new_length());
    }
    m.Changed(file);
    spdlog::info("block recovery {} of blk_{} committed: {} bytes on {} datanode(s){}; closing inode {}",
                 req.new_gen_stamp(), id, req.new_length(), holders.size(), req.delete_block() ? " (dropped)" : "",
                 file->id());
    FinishFile(nn, m, file, WallMillis());
    return Status::OK();
  });
}

}  // namespace cairn::namenode
