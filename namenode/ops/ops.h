// The client operations of the namenode, one function per Hadoop ClientProtocol method
// (plus Cairn's fsck), each in its own file under namenode/ops/. Every operation takes the
// NameSystem, the caller and Hadoop's request message, fills Hadoop's response message
// and returns a Status whose code both front doors translate (gRPC status, Java exception
// class). RegisterClientOperations puts them all into the MethodTable under Hadoop's
// method names; nothing else knows the list.
//
// Thread-safety: every operation may run on any handler thread concurrently.
#pragma once

#include "cairn/namenode.pb.h"
#include "hadoop/ClientNamenodeProtocol.pb.h"
#include "hadoop/Security.pb.h"
#include "hadoop/xattr.pb.h"
#include "namenode/name_system.h"
#include "namenode/rpc/call_context.h"
#include "namenode/rpc/method_table.h"

namespace cairn::namenode {

namespace hh = ::hadoop::hdfs;

#define CAIRN_NN_OP(Name, Req, Resp) \
  Status Name(NameSystem& nn, const CallContext& caller, const hh::Req& req, hh::Resp* resp);
// Reading
CAIRN_NN_OP(GetBlockLocations, GetBlockLocationsRequestProto, GetBlockLocationsResponseProto)
CAIRN_NN_OP(GetServerDefaults, GetServerDefaultsRequestProto, GetServerDefaultsResponseProto)
CAIRN_NN_OP(GetFileInfo, GetFileInfoRequestProto, GetFileInfoResponseProto)
CAIRN_NN_OP(GetFileLinkInfo, GetFileLinkInfoRequestProto, GetFileLinkInfoResponseProto)
CAIRN_NN_OP(GetListing, GetListingRequestProto, GetListingResponseProto)
CAIRN_NN_OP(GetContentSummary, GetContentSummaryRequestProto, GetContentSummaryResponseProto)
CAIRN_NN_OP(GetPreferredBlockSize, GetPreferredBlockSizeRequestProto, GetPreferredBlockSizeResponseProto)
CAIRN_NN_OP(GetLinkTarget, GetLinkTargetRequestProto, GetLinkTargetResponseProto)
CAIRN_NN_OP(CheckAccess, CheckAccessRequestProto, CheckAccessResponseProto)
CAIRN_NN_OP(IsFileClosed, IsFileClosedRequestProto, IsFileClosedResponseProto)
// Writing files
CAIRN_NN_OP(Create, CreateRequestProto, CreateResponseProto)
CAIRN_NN_OP(Append, AppendRequestProto, AppendResponseProto)
CAIRN_NN_OP(AddBlock, AddBlockRequestProto, AddBlockResponseProto)
CAIRN_NN_OP(AbandonBlock, AbandonBlockRequestProto, AbandonBlockResponseProto)
CAIRN_NN_OP(GetAdditionalDatanode, GetAdditionalDatanodeRequestProto, GetAdditionalDatanodeResponseProto)
CAIRN_NN_OP(Complete, CompleteRequestProto, CompleteResponseProto)
CAIRN_NN_OP(Fsync, FsyncRequestProto, FsyncResponseProto)
CAIRN_NN_OP(UpdateBlockForPipeline, UpdateBlockForPipelineRequestProto, UpdateBlockForPipelineResponseProto)
CAIRN_NN_OP(UpdatePipeline, UpdatePipelineRequestProto, UpdatePipelineResponseProto)
CAIRN_NN_OP(ReportBadBlocks, ReportBadBlocksRequestProto, ReportBadBlocksResponseProto)
CAIRN_NN_OP(RenewLease, RenewLeaseRequestProto, RenewLeaseResponseProto)
CAIRN_NN_OP(RecoverLease, RecoverLeaseRequestProto, RecoverLeaseResponseProto)
// Namespace changes
CAIRN_NN_OP(Mkdirs, MkdirsRequestProto, MkdirsResponseProto)
CAIRN_NN_OP(Delete, DeleteRequestProto, DeleteResponseProto)
CAIRN_NN_OP(Rename, RenameRequestProto, RenameResponseProto)
CAIRN_NN_OP(Rename2, Rename2RequestProto, Rename2ResponseProto)
CAIRN_NN_OP(Concat, ConcatRequestProto, ConcatResponseProto)
CAIRN_NN_OP(Truncate, TruncateRequestProto, TruncateResponseProto)
CAIRN_NN_OP(CreateSymlink, CreateSymlinkRequestProto, CreateSymlinkResponseProto)
CAIRN_NN_OP(SetReplication, SetReplicationRequestProto, SetReplicationResponseProto)
CAIRN_NN_OP(SetPermission, SetPermissionRequestProto, SetPermissionResponseProto)
CAIRN_NN_OP(SetOwner, SetOwnerRequestProto, SetOwnerResponseProto)
CAIRN_NN_OP(SetTimes, SetTimesRequestProto, SetTimesResponseProto)
CAIRN_NN_OP(SetXAttr, SetXAttrRequestProto, SetXAttrResponseProto)
CAIRN_NN_OP(GetXAttrs, GetXAttrsRequestProto, GetXAttrsResponseProto)
CAIRN_NN_OP(ListXAttrs, ListXAttrsRequestProto, ListXAttrsResponseProto)
CAIRN_NN_OP(RemoveXAttr, RemoveXAttrRequestProto, RemoveXAttrResponseProto)
// Cluster and administration
CAIRN_NN_OP(GetFsStats, GetFsStatusRequestProto, GetFsStatsResponseProto)
CAIRN_NN_OP(GetDatanodeReport, GetDatanodeReportRequestProto, GetDatanodeReportResponseProto)
CAIRN_NN_OP(SetSafeMode, SetSafeModeRequestProto, SetSafeModeResponseProto)
CAIRN_NN_OP(Msync, MsyncRequestProto, MsyncResponseProto)
CAIRN_NN_OP(GetDataEncryptionKey, GetDataEncryptionKeyRequestProto, GetDataEncryptionKeyResponseProto)
#undef CAIRN_NN_OP

// complete's first attempt alone, never waiting for replicas: resp->result() false with
// *wait_for naming a block still short of its minimum replicas when the file stays open.
Status CompleteWithoutWaiting(NameSystem& nn, const CallContext& caller, const hh::CompleteRequestProto& req,
                              hh::CompleteResponseProto* resp, uint64_t* wait_for);

// Delegation tokens (delegation_tokens.cc), in Hadoop's own messages.
namespace hc = ::hadoop::common;
Status GetDelegationToken(NameSystem& nn, const CallContext& caller, const hc::GetDelegationTokenRequestProto& req,
                          hc::GetDelegationTokenResponseProto* resp);
Status RenewDelegationToken(NameSystem& nn, const CallContext& caller, const hc::RenewDelegationTokenRequestProto& req,
                            hc::RenewDelegationTokenResponseProto* resp);
Status CancelDelegationToken(NameSystem& nn, const CallContext& caller,
                             const hc::CancelDelegationTokenRequestProto& req,
                             hc::CancelDelegationTokenResponseProto* resp);

Status Fsck(NameSystem& nn, const CallContext& caller, const FsckRequest& req, FsckResponse* resp);
Status DatanodeAdmin(NameSystem& nn, const CallContext& caller, const DatanodeAdminRequest& req,
                     DatanodeAdminResponse* resp);

// Fills the table with every operation above under Hadoop's method names.
void RegisterClientOperations(NameSystem& nn, MethodTable* table);

}  // namespace cairn::namenode
