// getListing: one page of a directory, sorted by name, starting after `startAfter`.
// A page holds at most --namenode_listing_limit entries and stops once it passes
// --namenode_listing_max_bytes (block locations count too: HDFS's location budget, in
// bytes), with at least one entry, so a reply stays bounded whatever the names and files.
// A file lists itself; a missing path gives an empty reply, as in HDFS.
#include "namenode/ops/file_status.h"
#include "namenode/ops/op_util.h"
#include "namenode/ops/ops.h"

namespace cairn::namenode {

Status GetListing(NameSystem& nn, const CallContext& caller, const hh::GetListingRequestProto& req,
                  hh::GetListingResponseProto* resp) {
  PermissionChecker pc = MakeChecker(nn, caller);
  std::optional<LocationSorter> sorter;
  if (req.needlocation()) sorter.emplace(nn, caller.client_address);
  auto fill = [&](const Inode& inode, std::string_view name, hh::HdfsFileStatusProto* out) {
    FillFileStatus(inode, name, out);
    if (sorter && inode.is_file()) FillLocatedBlocks(nn, inode, 0, UINT64_MAX, *sorter, caller.user, out->mutable_locations());
  };
  return nn.ns.Read([&](const InodeTree& tree) -> Status {
    ASSIGN_OR_RETURN(ResolvedPath p, tree.Resolve(req.src()));
    RETURN_IF_ERROR(pc.CheckTraverse(p));
    const Inode* target = p.last();
    if (target == nullptr) return Status::OK();
    hh::DirectoryListingProto* listing = resp->mutable_dirlist();
    if (!target->is_dir()) {
      fill(*target, "", listing->add_partiallisting());
      listing->set_remainingentries(0);
      return Status::OK();
    }
    RETURN_IF_ERROR(pc.CheckAccess(p, p.depth(), kActionReadExecute));
    auto it = target->children.upper_bound(req.startafter());
    const int limit = nn.settings.listing_limit;
    const size_t max_bytes = nn.settings.listing_max_bytes.bytes;
    int added = 0;
    size_t bytes = 0;
    for (; it != target->children.end() && added < limit && (added == 0 || bytes < max_bytes); ++it, ++added) {
      hh::HdfsFileStatusProto* entry = listing->add_partiallisting();
      fill(*it->second, it->first, entry);
      bytes += entry->ByteSizeLong();
    }
    // The rank of the first entry not sent: O(log n), so paging a huge directory stays linear.
    const size_t sent_through =
        it == target->children.end() ? target->children.size() : target->children.order_of_key(it->first);
    listing->set_remainingentries(static_cast<uint32_t>(target->children.size() - sent_through));
    return Status::OK();
  });
}

}  // namespace cairn::namenode
