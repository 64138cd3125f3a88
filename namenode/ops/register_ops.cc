#include "namenode/fs/deferred_durability.h"
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
// Runs `attempt` in a DeferredDurability scope. When answers(outcome) holds, done gets the
// outcome once what the attempt changed is durable, and this returns true; otherwise only
// the attempt's after-durable actions run then, and false tells the front door to run the
// call on its pool instead.
bool AnswerWhenDurable(NameSystem& nn, const std::function<Status()>& attempt,
                       const std::function<bool(const Status&)>& answers, MethodTable::Done done) {
  DeferredDurability scope;
  Status st;
  {
    auto active = scope.Activate();
    st = attempt();
  }
  const bool answered = answers(st);
  nn.ns.WhenDurable(scope, [st, answered, done = std::move(done)](const Status& durable) {
    if (answered) done(durable.ok() ? st : durable);
  });
  return answered;
}

// A change whose only wait is the WAL sync: front doors may run it on their I/O thread and
// answer after the group commit (MethodTable::InlineHandler).
template <typename Req, typename Resp>
void BindChange(MethodTable* table, NameSystem& nn, const std::string& name,
                Status (*fn)(NameSystem&, const CallContext&, const Req&, Resp*)) {
  Bind(table, nn, name, fn);
  table->SetInline<Req, Resp>(name, [&nn, fn](const CallContext& caller, const Req& req, Resp* resp,
                                             MethodTable::Done done) {
    return AnswerWhenDurable(
        nn, [&] { return fn(nn, caller, req, resp); }, [](const Status&) { return true; }, std::move(done));
  });
}

// complete runs inline when the file closes at the first attempt; when it must wait for
// replicas, on the pool (the attempt is safe to repeat).
void BindComplete(MethodTable* table, NameSystem& nn) {
  Bind(table, nn, "complete", &Complete);
  table->SetInline<hh::CompleteRequestProto, hh::CompleteResponseProto>(
      "complete", [&nn](const CallContext& caller, const hh::CompleteRequestProto& req,
                        hh::CompleteResponseProto* resp, MethodTable::Done done) {
        uint64_t wait_for = 0;
        return AnswerWhenDurable(
            nn, [&] { return CompleteWithoutWaiting(nn, caller, req, resp, &wait_for); },
            [resp](const Status& st) { return !st.ok() || resp->result(); }, std::move(done));
      });
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
  BindChange(t, nn, "create", &Create);
  BindChange(t, nn, "append", &Append);
  BindChange(t, nn, "addBlock", &AddBlock);
  BindChange(t, nn, "abandonBlock", &AbandonBlock);
  Bind(t, nn, "getAdditionalDatanode", &GetAdditionalDatanode);
  BindComplete(t, nn);
  BindChange(t, nn, "fsync", &Fsync);
  BindChange(t, nn, "updateBlockForPipeline", &UpdateBlockForPipeline);
  BindChange(t, nn, "updatePipeline", &UpdatePipeline);
  BindChange(t, nn, "reportBadBlocks", &ReportBadBlocks);
  Bind(t, nn, "renewLease", &RenewLease);
  Bind(t, nn, "recoverLease", &RecoverLease);
  BindChange(t, nn, "mkdirs", &Mkdirs);
  BindChange(t, nn, "delete", &Delete);
  BindChange(t, nn, "rename", &Rename);
  BindChange(t, nn, "rename2", &Rename2);
  BindChange(t, nn, "concat", &Concat);
  BindChange(t, nn, "truncate", &Truncate);
  BindChange(t, nn, "createSymlink", &CreateSymlink);
  BindChange(t, nn, "setReplication", &SetReplication);
  BindChange(t, nn, "setPermission", &SetPermission);
  BindChange(t, nn, "setOwner", &SetOwner);
  BindChange(t, nn, "setTimes", &SetTimes);
  BindChange(t, nn, "setXAttr", &SetXAttr);
  BindRead(t, nn, "getXAttrs", &GetXAttrs);
  BindRead(t, nn, "listXAttrs", &ListXAttrs);
  BindChange(t, nn, "removeXAttr", &RemoveXAttr);
  BindRead(t, nn, "getFsStats", &GetFsStats);
  Bind(t, nn, "getDatanodeReport", &GetDatanodeReport);
  Bind(t, nn, "setSafeMode", &SetSafeMode);
  Bind(t, nn, "msync", &Msync);
  Bind(t, nn, "getDataEncryptionKey", &GetDataEncryptionKey);
  Bind(t, nn, "getDelegationToken", &GetDelegationToken);
  Bind(t, nn, "renewDelegationToken", &RenewDelegationToken);
  Bind(t, nn, "cancelDelegationToken", &CancelDelegationToken);
  Bind(t, nn, "fsck", &Fsck);
  Bind(t, nn, "datanodeAdmin", &DatanodeAdmin);
}

}  // namespace cairn::namenode
