#include "namenode/ops/ops.h"

namespace cairn::namenode {

namespace {
template <typename Req, typename Resp>
void Bind(MethodTable* table, NameSystem& nn, const std::string& name,
          Status (*fn)(NameSystem&, const CallContext&, const Req&, Resp*)) {
  table->Add<Req, Resp>(name, [&nn, fn](const CallContext& caller, const Req& req, Resp* resp) {
    return fn(nn, caller, req, resp);
  });
}
}  // namespace

void RegisterClientOperations(NameSystem& nn, MethodTable* t) {
  Bind(t, nn, "getBlockLocations", &GetBlockLocations);
  Bind(t, nn, "getServerDefaults", &GetServerDefaults);
  Bind(t, nn, "getFileInfo", &GetFileInfo);
  Bind(t, nn, "getFileLinkInfo", &GetFileLinkInfo);
  Bind(t, nn, "getListing", &GetListing);
  Bind(t, nn, "getContentSummary", &GetContentSummary);
  Bind(t, nn, "getPreferredBlockSize", &GetPreferredBlockSize);
  Bind(t, nn, "getLinkTarget", &GetLinkTarget);
  Bind(t, nn, "checkAccess", &CheckAccess);
  Bind(t, nn, "isFileClosed", &IsFileClosed);
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
  Bind(t, nn, "getXAttrs", &GetXAttrs);
  Bind(t, nn, "listXAttrs", &ListXAttrs);
  Bind(t, nn, "removeXAttr", &RemoveXAttr);
  Bind(t, nn, "getFsStats", &GetFsStats);
  Bind(t, nn, "getDatanodeReport", &GetDatanodeReport);
  Bind(t, nn, "setSafeMode", &SetSafeMode);
  Bind(t, nn, "msync", &Msync);
  Bind(t, nn, "getDataEncryptionKey", &GetDataEncryptionKey);
  Bind(t, nn, "fsck", &Fsck);
  Bind(t, nn, "datanodeAdmin", &DatanodeAdmin);
}

}  // namespace cairn::namenode
