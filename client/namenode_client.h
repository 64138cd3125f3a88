// NamenodeClient: the typed, retrying client of the namenode, over either front door with
// the same Hadoop ClientProtocol messages: the native gRPC door (service
// cairn.ClientNamenode; address "host:port") or the Hadoop IPC door (address
// "hdfs://host:port", through IpcChannel), which costs fewer thread switches per call.
//
// Over gRPC every call carries the user in the `x-cairn-user` metadata entry and a deadline
// of rpc_timeout_ms (in kerberos mode instead the authentication token of a Kerberos login,
// see namenode/rpc/grpc_login.h, or a delegation token); over IPC the user is in each connection's context and rpc_timeout_ms
// bounds each read and write. Retryable outcomes (IsRetryable(): unavailable, timed out, safe mode, not
// replicated yet, resource exhausted) are retried with exponential backoff until
// rpc_retry_ms have passed; everything else returns at once as the exact cairn Status the
// namenode sent. One generic Call() does this for every method; the typed methods below
// are one line each and add nothing but the method's name and stub pointer.
//
// Semantics are Hadoop's: e.g. GetFileInfo of a missing path succeeds with no `fs` field;
// the FileSystem layer turns such answers into kNotFound.
//
// Thread-safety: all methods may be called from any thread (the gRPC stub is thread-safe).
#pragma once

#include <functional>
#include <optional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <grpcpp/grpcpp.h>

#include "cairn/namenode.grpc.pb.h"
#include "client/grpc_login_client.h"
#include "client/ipc_channel.h"
#include "common/grpc_status.h"
#include "common/status.h"

namespace cairn::client {

namespace hh = hadoop::hdfs;

struct NamenodeClientSettings {
  std::string address;       // host:port of the gRPC front door, or hdfs://host:port of the IPC door
  std::string user;          // sent as x-cairn-user (IPC: in the connection context)
  std::string kerberos_principal;  // the namenode's; set: log in with Kerberos on the IPC door
  std::string tls_ca_file;         // the cluster CA; set: the gRPC door speaks TLS (CAIRN_TLS_CA_FILE)
  // Set: log in with this delegation token (IPC door only) instead of a ticket.
  std::optional<hadoop::common::TokenProto> delegation_token;
  int rpc_timeout_ms = 60000;  // deadline of one attempt
  int rpc_retry_ms = 30000;    // retry retryable errors this long in total
};

enum class Retry { kYes, kNo };

class NamenodeClient {
 public:
  // Validates the address and builds the channel; connects lazily on the first call.
  static Result<std::unique_ptr<NamenodeClient>> Create(const NamenodeClientSettings& settings);
  // For tests: a client over an existing channel (e.g. an in-process server).
  NamenodeClient(std::shared_ptr<grpc::Channel> channel, NamenodeClientSettings settings);

  const NamenodeClientSettings& settings() const { return settings_; }

  template <typename Req, typename Resp>
  using StubMethod = grpc::Status (ClientNamenode::Stub::*)(grpc::ClientContext*, const Req&, Resp*);

  // Calls one method (name as Hadoop spells it, for messages), retrying as described above.
  template <typename Req, typename Resp>
  Result<Resp> Call(std::string_view method, StubMethod<Req, Resp> fn, const Req& request, Retry retry = Retry::kYes) {
    Resp response;
    Status st = Invoke(method, retry, [&]() -> Status {
      response.Clear();
      if (ipc_) return ipc_->Call(method, request, &response);
      return CallGrpc([&](grpc::ClientContext* ctx) { return (stub_.get()->*fn)(ctx, request, &response); });
    });
    if (!st.ok()) return st;
    return response;
  }

  using Stub = ClientNamenode::Stub;
  // clang-format off
  Result<hh::GetBlockLocationsResponseProto> GetBlockLocations(const hh::GetBlockLocationsRequestProto& r) { return Call("getBlockLocations", &Stub::GetBlockLocations, r); }
  Result<hh::GetServerDefaultsResponseProto> GetServerDefaults(const hh::GetServerDefaultsRequestProto& r) { return Call("getServerDefaults", &Stub::GetServerDefaults, r); }
  Result<hh::CreateResponseProto> Create(const hh::CreateRequestProto& r) { return Call("create", &Stub::Create, r); }
  Result<hh::AppendResponseProto> Append(const hh::AppendRequestProto& r) { return Call("append", &Stub::Append, r); }
  Result<hh::SetReplicationResponseProto> SetReplication(const hh::SetReplicationRequestProto& r) { return Call("setReplication", &Stub::SetReplication, r); }
  Result<hh::SetPermissionResponseProto> SetPermission(const hh::SetPermissionRequestProto& r) { return Call("setPermission", &Stub::SetPermission, r); }
  Result<hh::SetOwnerResponseProto> SetOwner(const hh::SetOwnerRequestProto& r) { return Call("setOwner", &Stub::SetOwner, r); }
  Result<hh::AbandonBlockResponseProto> AbandonBlock(const hh::AbandonBlockRequestProto& r) { return Call("abandonBlock", &Stub::AbandonBlock, r); }
  Result<hh::AddBlockResponseProto> AddBlock(const hh::AddBlockRequestProto& r) { return Call("addBlock", &Stub::AddBlock, r); }
  Result<hh::CompleteResponseProto> Complete(const hh::CompleteRequestProto& r) { return Call("complete", &Stub::Complete, r); }
  Result<hh::ReportBadBlocksResponseProto> ReportBadBlocks(const hh::ReportBadBlocksRequestProto& r) { return Call("reportBadBlocks", &Stub::ReportBadBlocks, r); }
  Result<hh::Rename2ResponseProto> Rename2(const hh::Rename2RequestProto& r) { return Call("rename2", &Stub::Rename2, r); }
  Result<hh::DeleteResponseProto> Delete(const hh::DeleteRequestProto& r) { return Call("delete", &Stub::Delete, r); }
  Result<hh::MkdirsResponseProto> Mkdirs(const hh::MkdirsRequestProto& r) { return Call("mkdirs", &Stub::Mkdirs, r); }
  Result<hh::GetListingResponseProto> GetListing(const hh::GetListingRequestProto& r) { return Call("getListing", &Stub::GetListing, r); }
  Result<hh::RenewLeaseResponseProto> RenewLease(const hh::RenewLeaseRequestProto& r) { return Call("renewLease", &Stub::RenewLease, r, Retry::kNo); }
  Result<hh::GetFsStatsResponseProto> GetFsStats(const hh::GetFsStatusRequestProto& r) { return Call("getFsStats", &Stub::GetFsStats, r); }
  Result<hh::GetDatanodeReportResponseProto> GetDatanodeReport(const hh::GetDatanodeReportRequestProto& r) { return Call("getDatanodeReport", &Stub::GetDatanodeReport, r); }
  Result<hh::GetFileInfoResponseProto> GetFileInfo(const hh::GetFileInfoRequestProto& r) { return Call("getFileInfo", &Stub::GetFileInfo, r); }
  Result<hh::GetContentSummaryResponseProto> GetContentSummary(const hh::GetContentSummaryRequestProto& r) { return Call("getContentSummary", &Stub::GetContentSummary, r); }
  Result<hh::FsyncResponseProto> Fsync(const hh::FsyncRequestProto& r) { return Call("fsync", &Stub::Fsync, r); }
  Result<hh::SetTimesResponseProto> SetTimes(const hh::SetTimesRequestProto& r) { return Call("setTimes", &Stub::SetTimes, r); }
  Result<hh::UpdateBlockForPipelineResponseProto> UpdateBlockForPipeline(const hh::UpdateBlockForPipelineRequestProto& r) { return Call("updateBlockForPipeline", &Stub::UpdateBlockForPipeline, r); }
  Result<hh::UpdatePipelineResponseProto> UpdatePipeline(const hh::UpdatePipelineRequestProto& r) { return Call("updatePipeline", &Stub::UpdatePipeline, r); }
  Result<hh::RecoverLeaseResponseProto> RecoverLease(const hh::RecoverLeaseRequestProto& r) { return Call("recoverLease", &Stub::RecoverLease, r); }
  Result<hh::IsFileClosedResponseProto> IsFileClosed(const hh::IsFileClosedRequestProto& r) { return Call("isFileClosed", &Stub::IsFileClosed, r); }
  Result<hh::SetSafeModeResponseProto> SetSafeMode(const hh::SetSafeModeRequestProto& r) { return Call("setSafeMode", &Stub::SetSafeMode, r); }
  Result<hh::GetAdditionalDatanodeResponseProto> GetAdditionalDatanode(const hh::GetAdditionalDatanodeRequestProto& r) { return Call("getAdditionalDatanode", &Stub::GetAdditionalDatanode, r); }
  Result<hadoop::common::GetDelegationTokenResponseProto> GetDelegationToken(const hadoop::common::GetDelegationTokenRequestProto& r) { return Call("getDelegationToken", &Stub::GetDelegationToken, r, Retry::kNo); }
  Result<hadoop::common::RenewDelegationTokenResponseProto> RenewDelegationToken(const hadoop::common::RenewDelegationTokenRequestProto& r) { return Call("renewDelegationToken", &Stub::RenewDelegationToken, r); }
  Result<hadoop::common::CancelDelegationTokenResponseProto> CancelDelegationToken(const hadoop::common::CancelDelegationTokenRequestProto& r) { return Call("cancelDelegationToken", &Stub::CancelDelegationToken, r, Retry::kNo); }
  Result<FsckResponse> Fsck(const FsckRequest& r) { return Call("fsck", &Stub::Fsck, r); }
  Result<DatanodeAdminResponse> DatanodeAdmin(const DatanodeAdminRequest& r) { return Call("datanodeAdmin", &Stub::DatanodeAdmin, r); }
  // clang-format on

 private:
  explicit NamenodeClient(std::unique_ptr<IpcChannel> ipc, NamenodeClientSettings settings);
  // The retry loop shared by every method; `attempt` makes one call.
  Status Invoke(std::string_view method, Retry retry, const std::function<Status()>& attempt);
  // One gRPC attempt: logs in first when it must (kerberos: a Kerberos login gives an
  // authentication token, reused until it nears expiry), sets the metadata and deadline,
  // and logs in again once if the namenode asks for it.
  Status CallGrpc(const std::function<grpc::Status(grpc::ClientContext*)>& call);
  void PrepareContext(grpc::ClientContext* ctx);

  NamenodeClientSettings settings_;
  std::shared_ptr<grpc::Channel> channel_;       // gRPC door only
  std::unique_ptr<ClientNamenode::Stub> stub_;   // gRPC door only
  std::unique_ptr<IpcChannel> ipc_;              // IPC door only
  std::unique_ptr<GrpcLoginClient> login_;     // gRPC door in kerberos mode, without a delegation token
};

}  // namespace cairn::client
