// Extended attributes with HDFS's rules: namespaces USER (mode bits apply), TRUSTED
// (superuser only), SECURITY (only hdfs.unreadable.by.superuser), SYSTEM and RAW (not
// for clients); CREATE/REPLACE flags; at most 32 per inode and 16 KiB per name+value.
#include "namenode/ops/op_util.h"
#include "namenode/ops/ops.h"

namespace cairn::namenode {

namespace {
constexpr int kMaxXAttrsPerInode = 32;
constexpr size_t kMaxXAttrBytes = 16384;
constexpr std::string_view kUnreadableBySuperuser = "hdfs.unreadable.by.superuser";

std::string FullName(uint32_t ns, std::string_view name) {
  static constexpr std::string_view kPrefixes[] = {"user", "trusted", "security", "system", "raw"};
  return fmt::format("{}.{}", ns < 5 ? kPrefixes[ns] : "unknown", name);
}

bool NamespaceAllowed(const PermissionChecker& pc, uint32_t ns, std::string_view name) {
  switch (ns) {
    case hh::XAttrProto::USER: return true;
    case hh::XAttrProto::TRUSTED: return pc.is_superuser();
    case hh::XAttrProto::SECURITY: return name == kUnreadableBySuperuser;
    default: return false;
  }
}

Status CheckNamespace(const PermissionChecker& pc, uint32_t ns, std::string_view name) {
  if (NamespaceAllowed(pc, ns, name)) return Status::OK();
  return PermissionDenied("User doesn't have permission for xattr: {}", FullName(ns, name));
}

// Changing xattrs: WRITE on the inode; on a sticky directory, ownership.
Status CheckChange(const PermissionChecker& pc, const ResolvedPath& p) {
  const Inode& inode = *p.last();
  if (inode.is_dir() && (inode.rec.permission() & 01000)) return pc.CheckOwner(inode, p.path);
  return pc.CheckAccess(p, p.depth(), kActionWrite);
}

int FindXAttr(const Inode& inode, uint32_t ns, std::string_view name) {
  for (int i = 0; i < inode.rec.xattrs_size(); ++i) {
    const XAttrRecord& x = inode.rec.xattrs(i);
    if (x.namespace_() == ns && x.name() == name) return i;
  }
  return -1;
}

void ToProto(const XAttrRecord& x, bool with_value, hh::XAttrProto* out) {
  out->set_namespace_(static_cast<hh::XAttrProto::XAttrNamespaceProto>(x.namespace_()));
  out->set_name(x.name());
  if (with_value) out->set_value(x.value());
}
}  // namespace

Status SetXAttr(NameSystem& nn, const CallContext& caller, const hh::SetXAttrRequestProto& req,
                hh::SetXAttrResponseProto* resp) {
  RETURN_IF_ERROR(CheckNotInSafeMode(nn, "set xattr on", req.src()));
  if (!req.has_xattr() || req.xattr().name().empty()) return InvalidArgument("XAttr name cannot be empty");
  const hh::XAttrProto& x = req.xattr();
  const uint32_t flag = req.flag();
  if ((flag & (hh::XATTR_CREATE | hh::XATTR_REPLACE)) == 0) return InvalidArgument("A flag must be specified.");
  const size_t size = x.name().size() + x.value().size();
  if (size > kMaxXAttrBytes)
    return InvalidArgument("The XAttr is too big. The maximum combined size of the name and value is {}, but the "
                           "total size is {}",
                           kMaxXAttrBytes, size);
  PermissionChecker pc = MakeChecker(nn, caller);
  return nn.ns.Mutate([&](Mutation& m) -> Status {
    ASSIGN_OR_RETURN(ResolvedPath p, ResolveExisting(m.tree(), req.src(), pc));
    RETURN_IF_ERROR(CheckNamespace(pc, x.namespace_(), x.name()));
    RETURN_IF_ERROR(CheckChange(pc, p));
    Inode* inode = p.last();
    const int at = FindXAttr(*inode, x.namespace_(), x.name());
    const std::string full = FullName(x.namespace_(), x.name());
    if (at >= 0 && !(flag & hh::XATTR_REPLACE))
      return IoError("XAttr: {} already exists. The REPLACE flag must be specified.", full);
    if (at < 0 && !(flag & hh::XATTR_CREATE))
      return IoError("XAttr: {} does not exist. The CREATE flag must be specified.", full);
    if (at < 0 && inode->rec.xattrs_size() >= kMaxXAttrsPerInode)
      return IoError("Cannot add additional XAttr to inode, would exceed limit of {}", kMaxXAttrsPerInode);
    XAttrRecord* rec = at >= 0 ? inode->rec.mutable_xattrs(at) : inode->rec.add_xattrs();
    rec->set_namespace_(x.namespace_());
    rec->set_name(x.name());
    rec->set_value(x.value());
    m.Changed(inode);
    return Status::OK();
  });
}

Status GetXAttrs(NameSystem& nn, const CallContext& caller, const hh::GetXAttrsRequestProto& req,
                 hh::GetXAttrsResponseProto* resp) {
  PermissionChecker pc = MakeChecker(nn, caller);
  return nn.ns.Read([&](const InodeTree& tree) -> Status {
    ASSIGN_OR_RETURN(ResolvedPath p, ResolveExisting(tree, req.src(), pc));
    RETURN_IF_ERROR(pc.CheckAccess(p, p.depth(), kActionRead));
    const Inode& inode = *p.last();
    if (req.xattrs_size() == 0) {
      for (const auto& x : inode.rec.xattrs()) {
        if (NamespaceAllowed(pc, x.namespace_(), x.name())) ToProto(x, true, resp->add_xattrs());
      }
      return Status::OK();
    }
    for (const auto& want : req.xattrs()) {
      RETURN_IF_ERROR(CheckNamespace(pc, want.namespace_(), want.name()));
      const int at = FindXAttr(inode, want.namespace_(), want.name());
      if (at < 0) return IoError("At least one of the attributes provided was not found.");
      ToProto(inode.rec.xattrs(at), true, resp->add_xattrs());
    }
    return Status::OK();
  });
}

Status ListXAttrs(NameSystem& nn, const CallContext& caller, const hh::ListXAttrsRequestProto& req,
                  hh::ListXAttrsResponseProto* resp) {
  PermissionChecker pc = MakeChecker(nn, caller);
  return nn.ns.Read([&](const InodeTree& tree) -> Status {
    ASSIGN_OR_RETURN(ResolvedPath p, ResolveExisting(tree, req.src(), pc));
    RETURN_IF_ERROR(pc.CheckAccess(p, p.depth(), kActionRead));
    for (const auto& x : p.last()->rec.xattrs()) {
      if (NamespaceAllowed(pc, x.namespace_(), x.name())) ToProto(x, false, resp->add_xattrs());
    }
    return Status::OK();
  });
}

Status RemoveXAttr(NameSystem& nn, const CallContext& caller, const hh::RemoveXAttrRequestProto& req,
                   hh::RemoveXAttrResponseProto* resp) {
  RETURN_IF_ERROR(CheckNotInSafeMode(nn, "remove xattr from", req.src()));
  if (!req.has_xattr() || req.xattr().name().empty()) return InvalidArgument("XAttr name cannot be empty");
  const hh::XAttrProto& x = req.xattr();
  PermissionChecker pc = MakeChecker(nn, caller);
  return nn.ns.Mutate([&](Mutation& m) -> Status {
    ASSIGN_OR_RETURN(ResolvedPath p, ResolveExisting(m.tree(), req.src(), pc));
    RETURN_IF_ERROR(CheckNamespace(pc, x.namespace_(), x.name()));
    RETURN_IF_ERROR(CheckChange(pc, p));
    Inode* inode = p.last();
    const int at = FindXAttr(*inode, x.namespace_(), x.name());
    if (at < 0)
      return IoError("At least one of the attributes provided was not found: no matching attribute {} for the "
                     "remove operation",
                     FullName(x.namespace_(), x.name()));
    auto* list = inode->rec.mutable_xattrs();
    list->erase(list->begin() + at);
    m.Changed(inode);
    return Status::OK();
  });
}

}  // namespace cairn::namenode
