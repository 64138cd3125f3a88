// Cluster-wide calls: getServerDefaults, getFsStats, getDatanodeReport, setSafeMode,
// msync (a no-op without observer namenodes) and getDataEncryptionKey (no encryption).
#include "namenode/ops/op_util.h"
#include "namenode/ops/ops.h"

namespace cairn::namenode {

Status GetServerDefaults(NameSystem& nn, const CallContext& caller, const hh::GetServerDefaultsRequestProto& req,
                         hh::GetServerDefaultsResponseProto* resp) {
  auto* d = resp->mutable_serverdefaults();
  d->set_blocksize(nn.settings.default_block_size.bytes);
  d->set_bytesperchecksum(512);
  d->set_writepacketsize(64 * 1024);
  d->set_replication(static_cast<uint32_t>(nn.settings.default_replication));
  d->set_filebuffersize(4096);
  d->set_encryptdatatransfer(false);
  d->set_trashinterval(0);
  d->set_checksumtype(hh::CHECKSUM_CRC32C);
  return Status::OK();
}

Status GetFsStats(NameSystem& nn, const CallContext& caller, const hh::GetFsStatusRequestProto& req,
                  hh::GetFsStatsResponseProto* resp) {
  DatanodeManager::Totals t = nn.datanodes.GetTotals();
  BlockStats b = nn.blocks.Stats();
  resp->set_capacity(t.capacity);
  resp->set_used(t.used);
  resp->set_remaining(t.remaining);
  resp->set_under_replicated(b.under_replicated);
  resp->set_corrupt_blocks(b.corrupt);
  resp->set_missing_blocks(b.missing);
  resp->set_missing_repl_one_blocks(0);
  resp->set_blocks_in_future(0);
  resp->set_pending_deletion_blocks(nn.datanodes.PendingInvalidations());
  return Status::OK();
}

Status GetDatanodeReport(NameSystem& nn, const CallContext& caller, const hh::GetDatanodeReportRequestProto& req,
                         hh::GetDatanodeReportResponseProto* resp) {
  switch (req.type()) {
    case hh::ALL:
    case hh::LIVE:
    case hh::DEAD:
    case hh::DECOMMISSIONING:
      nn.datanodes.Report(req.type(), resp);
      return Status::OK();
    default:
      // No node is ever in maintenance: those reports are empty.
      return Status::OK();
  }
}

Status SetSafeMode(NameSystem& nn, const CallContext& caller, const hh::SetSafeModeRequestProto& req,
                   hh::SetSafeModeResponseProto* resp) {
  if (req.action() != hh::SAFEMODE_GET && !MakeChecker(nn, caller).is_superuser())
    return PermissionDenied("Access denied for user {}. Superuser privilege is required", caller.user);
  switch (req.action()) {
    case hh::SAFEMODE_ENTER:
      nn.safe_mode.Enter();
      break;
    case hh::SAFEMODE_LEAVE:
    case hh::SAFEMODE_FORCE_EXIT:
      nn.safe_mode.Leave();
      break;
    case hh::SAFEMODE_GET:
      break;
  }
  resp->set_result(nn.safe_mode.IsOn());
  return Status::OK();
}

Status Msync(NameSystem& nn, const CallContext& caller, const hh::MsyncRequestProto& req,
             hh::MsyncResponseProto* resp) {
  return Status::OK();
}

Status GetDataEncryptionKey(NameSystem& nn, const CallContext& caller,
                            const hh::GetDataEncryptionKeyRequestProto& req,
                            hh::GetDataEncryptionKeyResponseProto* resp) {
  return Status::OK();
}

}  // namespace cairn::namenode
