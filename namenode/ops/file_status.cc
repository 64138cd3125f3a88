#include "namenode/ops/file_status.h"

#include <algorithm>
#include <random>

#include "common/clock.h"

namespace cairn::namenode {

using hadoop::hdfs::HdfsFileStatusProto;

void FillFileStatus(const Inode& inode, std::string_view local_name, HdfsFileStatusProto* out) {
  const InodeRecord& r = inode.rec;
  out->set_filetype(inode.is_dir()       ? HdfsFileStatusProto::IS_DIR
                    : inode.is_symlink() ? HdfsFileStatusProto::IS_SYMLINK
                                         : HdfsFileStatusProto::IS_FILE);
  out->set_path(std::string(local_name));
  out->set_length(inode.is_file() ? inode.FileLength() : 0);
  out->mutable_permission()->set_perm(r.permission() & 07777);
  out->set_owner(r.owner());
  out->set_group(r.group());
  out->set_modification_time(r.mtime());
  out->set_access_time(r.atime());
  if (inode.is_symlink()) out->set_symlink(r.symlink_target());
  if (inode.is_file()) {
    out->set_block_replication(r.replication());
    out->set_blocksize(r.block_size());
  }
  out->set_fileid(inode.id());
  out->set_childrennum(inode.is_dir() ? static_cast<int32_t>(inode.children.size()) : 0);
  out->set_storagepolicy(0);
}

LocationSorter::LocationSorter(const NameSystem& nn, const std::string& client_ip)
    : nn_(nn), client_ip_(client_ip) {
  if (!client_ip.empty()) client_rack_ = nn.datanodes.RackOfAddress(client_ip);
}

int LocationSorter::Distance(const BlockManager::Location& loc) const {
  if (loc.corrupt) return 100;
  auto it = nodes_.find(loc.node);
  if (it == nodes_.end()) it = nodes_.emplace(loc.node, nn_.datanodes.View(loc.node)).first;
  if (!it->second) return 50;
  const NodeView& n = *it->second;
  int d = 4;
  if (!client_ip_.empty() && n.ip == client_ip_) d = 0;
  else if (!client_rack_.empty() && n.rack == client_rack_) d = 2;
  return n.stale ? d + 10 : d;
}

void LocationSorter::Sort(std::vector<BlockManager::Location>* locs) const {
  thread_local std::mt19937 rng{std::random_device{}()};
  std::shuffle(locs->begin(), locs->end(), rng);
  std::stable_sort(locs->begin(), locs->end(),
                   [&](const auto& a, const auto& b) { return Distance(a) < Distance(b); });
}

void FillLocatedBlock(const NameSystem& nn, const BlockRecord& b, uint64_t offset,
                      const std::vector<BlockManager::Location>& locs, const BlockTokenGrant& grant,
                      hadoop::hdfs::LocatedBlockProto* out) {
  auto* eb = out->mutable_b();
  eb->set_poolid(nn.ns.block_pool_id());
  eb->set_blockid(b.block_id());
  eb->set_generationstamp(b.gen_stamp());
  eb->set_numbytes(b.num_bytes());
  out->set_offset(offset);
  bool all_corrupt = !locs.empty();
  for (const auto& loc : locs) {
    nn.datanodes.FillInfo(loc.node, out->add_locs());
    out->add_iscached(false);
    out->add_storagetypes(hadoop::hdfs::DISK);
    out->add_storageids(nn.datanodes.StorageId(loc.node));
    all_corrupt = all_corrupt && loc.corrupt;
  }
  out->set_corrupt(all_corrupt);
  *out->mutable_blocktoken() =
      nn.block_keys.Issue(grant.user, nn.ns.block_pool_id(), b.block_id(), grant.modes, WallMillis());
}

void FillLocatedBlocks(const NameSystem& nn, const Inode& file, uint64_t offset, uint64_t length,
                       const LocationSorter& sorter, std::string_view user, hadoop::hdfs::LocatedBlocksProto* out) {
  const auto& blocks = file.rec.blocks();
  const bool uc = file.under_construction();
  uint64_t total = file.FileLength();
  // As HDFS: an open file's length leaves out its last block, whose visible length the
  // reader learns from the datanodes (or from lastBlock's numBytes, set by fsync). A file
  // being truncated has its final length already (its replicas may still be longer).
  const bool open_length = uc && !file.rec.under_construction().truncating();
  uint64_t file_length = open_length && !blocks.empty() ? total - blocks[blocks.size() - 1].num_bytes() : total;
  out->set_filelength(file_length);
  out->set_underconstruction(uc);
  const uint64_t end = length > UINT64_MAX - offset ? UINT64_MAX : offset + length;
  uint64_t pos = 0;
  for (int i = 0; i < blocks.size(); ++i) {
    const BlockRecord& b = blocks[i];
    const uint64_t start = pos;
    pos += b.num_bytes();
    // Overlaps [offset, end); an empty block (the open last one) counts when it starts inside.
    const bool overlaps = start < end && (pos > offset || (b.num_bytes() == 0 && start >= offset));
    if (!overlaps) continue;
    std::vector<BlockManager::Location> locs = nn.blocks.Locations(b.block_id());
    sorter.Sort(&locs);
    FillLocatedBlock(nn, b, start, locs, {user, kBlockRead}, out->add_blocks());
  }
  if (!blocks.empty()) {
    const BlockRecord& last = blocks[blocks.size() - 1];
    std::vector<BlockManager::Location> locs = nn.blocks.Locations(last.block_id());
    sorter.Sort(&locs);
    FillLocatedBlock(nn, last, total - last.num_bytes(), locs, {user, kBlockRead}, out->mutable_lastblock());
  }
  out->set_islastblockcomplete(!uc);
}

}  // namespace cairn::namenode
