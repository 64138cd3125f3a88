// create: a new file under construction, leased to the calling client.
#include "common/clock.h"
#include "namenode/ops/file_status.h"
#include "namenode/ops/lease_recovery.h"
#include "namenode/ops/op_util.h"
#include "namenode/ops/ops.h"

namespace cairn::namenode {

namespace {
Status ValidateCreate(const NameSystem& nn, const hh::CreateRequestProto& req) {
  const auto& s = nn.settings;
  if (req.replication() < static_cast<uint32_t>(s.min_replication))
    return InvalidArgument("Requested replication factor of {} is less than the required minimum of {} for {}",
                           req.replication(), s.min_replication, req.src());
  if (req.replication() > static_cast<uint32_t>(s.max_replication))
    return InvalidArgument("Requested replication factor of {} exceeds maximum of {} for {}", req.replication(),
                           s.max_replication, req.src());
  if (req.blocksize() == 0 || req.blocksize() % 512 != 0)
    return InvalidArgument("Invalid block size {} for {}: it must be a positive multiple of 512 (bytes per checksum)",
                           req.blocksize(), req.src());
  if (req.clientname().empty()) return InvalidArgument("create of {} names no client", req.src());
  return Status::OK();
}
}  // namespace

Status Create(NameSystem& nn, const CallContext& caller, const hh::CreateRequestProto& req,
              hh::CreateResponseProto* resp) {
  RETURN_IF_ERROR(CheckNotInSafeMode(nn, "create file", req.src()));
  RETURN_IF_ERROR(ValidateCreate(nn, req));
  const bool create = req.createflag() & hh::CREATE;
  const bool overwrite = req.createflag() & hh::OVERWRITE;
  PermissionChecker pc = MakeChecker(nn, caller);
  return nn.ns.Mutate([&](Mutation& m) -> Status {
    ASSIGN_OR_RETURN(ResolvedPath p, ResolveForChange(m.tree(), req.src(), pc));
    if (p.is_root()) return AlreadyExists("/ already exists as a directory");
    if (Inode* existing = p.last()) {
      if (existing->is_dir()) return AlreadyExists("{} already exists as a directory", req.src());
      if (existing->is_file() && existing->under_construction()) {
        if (!(overwrite && existing->lease_holder() == req.clientname()))
          RETURN_IF_ERROR(TakeOverOrRefuse(nn, m, existing, "CREATE_FILE", req.src(), caller, req.clientname()));
      }
      if (!overwrite)
        return AlreadyExists("{} for client {} already exists", req.src(), caller.client_address);
      RETURN_IF_ERROR(pc.CheckAccess(p, p.depth(), kActionWrite));
      RETURN_IF_ERROR(pc.CheckAccess(p, p.depth() - 1, kActionWrite));
      // Overwrite: the old file goes, and its blocks once that is durable.
      std::vector<BlockRecord> blocks;
      std::vector<uint64_t> files;
      m.RemoveSubtree(existing, &blocks, &files);
      p.inodes.back() = nullptr;
      nn.leases.RemoveFiles(files);
      m.AfterDurable([&bm = nn.blocks, blocks = std::move(blocks)] { bm.RemoveBlocks(blocks); });
    } else {
      if (!create) return NotFound("Can't overwrite non-existent {} for client {}", req.src(), caller.client_address);
      const size_t deepest = DeepestExisting(p);
      if (!req.createparent() && deepest + 2 < p.inodes.size())
        return NotFound("Parent directory doesn't exist: {}", p.PrefixPath(p.depth() - 1));
      RETURN_IF_ERROR(pc.CheckAccess(p, deepest, kActionWrite));
    }
    const int64_t now = WallMillis();
    Inode* parent = CreateMissingParents(m, &p, caller.user, req.masked().perm() | 0300, now);
    InodeRecord rec;
    rec.set_type(InodeRecord::FILE);
    rec.set_permission(req.masked().perm() & 0777);
    rec.set_owner(caller.user);
    rec.set_group(parent->rec.group());
    rec.set_mtime(static_cast<uint64_t>(now));
    rec.set_atime(static_cast<uint64_t>(now));
    rec.set_replication(req.replication());
    rec.set_block_size(req.blocksize());
    rec.mutable_under_construction()->set_client_name(req.clientname());
    rec.mutable_under_construction()->set_client_machine(caller.client_address);
    Inode* file = m.AddChild(parent, p.last_name(), std::move(rec));
    TouchDirectory(m, parent, now);
    nn.leases.Add(req.clientname(), file->id());
    FillFileStatus(*file, "", resp->mutable_fs());
    return Status::OK();
  });
}

}  // namespace cairn::namenode
