#include "namenode/ops/ops.h"

namespace cairn::namenode {

namespace {
template <typename Req, typename Resp>
void Bind(MethodTable* table, NameSystem& nn, const std::string& name,
          Status (*fn)(NameSystem&, const CallContext&, const Req&, Resp*), bool nonblocking = false) {
  table->Add<Req, Resp>(
      name, [&nn, fn](const CallContext& caller, const Req& req, Resp* resp) { return fn(nn, caller, req, resp); },
      nonblocking);
}

// Reads answered from memory under the shared namespace lock (see Method::nonblocking).
template <typename Req, typename Resp>
void BindRead(MethodTable* table, NameSystem& nn, const std::string& name,
              Status (*fn)(NameSystem&, const CallContext&, const Req&, Resp*)) {
  Bind(table, nn, name, fn, /*nonblocking=*/true);
}
}  // namespace

void RegisterClientOperations(NameSystem& nn, MethodTable* t) {
  BindRead(t, nn, "getBlockLocations", &GetBlockLocations);
  BindRead(t, nn, "getServerDefaults", &GetServerDefaults);
  BindRead(t, nn, "getFileInfo", &GetFileInfo);
  BindRead(t, nn, "getFileLinkInfo", &GetFileLinkInfo);
  BindRead(t, nn, "getListing", &GetListing);
  Bind(t, nn, "getContentSummary", &GetContentSummary);
  BindRead(t, nn, "getPreferredBlockSize", &GetPreferredBlockSize);
  BindRead(t, nn, "getLinkTarget", &GetLinkTarget);
  BindRead(t, nn, "checkAccess", &CheckAccess);
  BindRead(t, nn, "isFileClosed", &IsFileClosed);
  Bind(t, nn, "create", &Create);
  Bind(t, nn, "append", &Append);
  Bind(t, nn, "addBlock", &AddBlock);
  Bind(t, nn, "abandonBlock", &AbandonBlock);
  Bind(t, nn, "getAdditionalDatanode", &GetAdditionalDatanode);
  Bind(t, nn, "complete", &Complete);
  Bind(t, nn, "fsync", &Fsync);
  Bind(t, nn, "updateBlockForPipeline", &UpdateBlockForPipeline);
  Bind(t, nn, "updatePipeline", &UpdatePipeline);
  Bind(t, nn, "reportBadBlocks", &ReportBadBlocks);
  Bind(t, nn, "renewLease", &RenewLease);
  Bind(t, nn, "recoverLease", &RecoverLease);
  Bind(t, nn, "mkdirs", &Mkdirs);
  Bind(t, nn, "delete", &Delete);
  Bind(t, nn, "rename", &Rename);
  Bind(t, nn, "rename2", &Rename2);
  Bind(t, nn, "concat", &Concat);
  Bind(t, nn, "truncate", &Truncate);
  Bind(t, nn, "createSymlink", &CreateSymlink);
  Bind(t, nn, "setReplication", &SetReplication);
  Bind(t, nn, "setPermission", &SetPermission);
  Bind(t, nn, "setOwner", &SetOwner);
  Bind(t, nn, "setTimes", &SetTimes);
  Bind(t, nn, "setXAttr", &SetXAttr);
  BindRead(t, nn, "getXAttrs", &GetXAttrs);
  BindRead(t, nn, "listXAttrs", &ListXAttrs);
  Bind(t, nn, "removeXAttr", &RemoveXAttr);
  BindRead(t, nn, "getFsStats", &GetFsStats);
  Bind(t, nn, "getDatanodeReport", &GetDatanodeReport);
  Bind(t, nn, "setSafeMode", &SetSafeMode);
  Bind(t, nn, "msync", &Msync);
  Bind(t, nn, "getDataEncryptionKey", &GetDataEncryptionKey);
  Bind(t, nn, "fsck", &Fsck);
  Bind(t, nn, "datanodeAdmin", &DatanodeAdmin);
}

}  // namespace cairn::namenode
