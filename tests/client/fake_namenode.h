// FakeNamenode: an in-process gRPC server implementing a few cairn.ClientNamenode methods
// with test-supplied handlers, for unit tests of the client library that need no cluster.
// Every call records the caller's x-cairn-user and bumps a counter. Methods without a
// handler answer UNIMPLEMENTED (the generated Service default).
//
// Thread-safety: set handlers before Start(); counters are atomic.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <grpcpp/grpcpp.h>

#include "cairn/namenode.grpc.pb.h"
#include "common/grpc_status.h"
#include "tests/support/grpc_test_server.h"

namespace cairn::client::testing {

namespace hh = hadoop::hdfs;

template <typename Req, typename Resp>
using Handler = std::function<Status(const Req&, Resp*)>;

class FakeNamenode final : public ClientNamenode::Service {
 public:
  Handler<hh::GetFileInfoRequestProto, hh::GetFileInfoResponseProto> get_file_info;
  Handler<hh::GetListingRequestProto, hh::GetListingResponseProto> get_listing;
  Handler<hh::DeleteRequestProto, hh::DeleteResponseProto> del;
  Handler<hh::MkdirsRequestProto, hh::MkdirsResponseProto> mkdirs;
  Handler<hh::GetDatanodeReportRequestProto, hh::GetDatanodeReportResponseProto> datanode_report;
  Handler<hh::RenewLeaseRequestProto, hh::RenewLeaseResponseProto> renew_lease;
  Handler<DatanodeAdminRequest, DatanodeAdminResponse> datanode_admin;

  ~FakeNamenode() override { Stop(); }

  void Start() { server_.Start(this); }
  void Stop() { server_.Stop(); }
  std::string address() const { return server_.address(); }

  int calls() const { return calls_.load(); }
  std::string last_user() const {
    std::lock_guard lock(mu_);
    return last_user_;
  }

  grpc::Status GetFileInfo(grpc::ServerContext* c, const hh::GetFileInfoRequestProto* q,
                           hh::GetFileInfoResponseProto* r) override {
    return Serve(c, get_file_info, q, r);
  }
  grpc::Status GetListing(grpc::ServerContext* c, const hh::GetListingRequestProto* q,
                          hh::GetListingResponseProto* r) override {
    return Serve(c, get_listing, q, r);
  }
  grpc::Status Delete(grpc::ServerContext* c, const hh::DeleteRequestProto* q, hh::DeleteResponseProto* r) override {
    return Serve(c, del, q, r);
  }
  grpc::Status Mkdirs(grpc::ServerContext* c, const hh::MkdirsRequestProto* q, hh::MkdirsResponseProto* r) override {
    return Serve(c, mkdirs, q, r);
  }
  grpc::Status GetDatanodeReport(grpc::ServerContext* c, const hh::GetDatanodeReportRequestProto* q,
                                 hh::GetDatanodeReportResponseProto* r) override {
    return Serve(c, datanode_report, q, r);
  }
  grpc::Status RenewLease(grpc::ServerContext* c, const hh::RenewLeaseRequestProto* q,
                          hh::RenewLeaseResponseProto* r) override {
    return Serve(c, renew_lease, q, r);
  }
  grpc::Status DatanodeAdmin(grpc::ServerContext* c, const DatanodeAdminRequest* q, DatanodeAdminResponse* r) override {
    return Serve(c, datanode_admin, q, r);
  }

 private:
  template <typename Req, typename Resp>
  grpc::Status Serve(grpc::ServerContext* ctx, const Handler<Req, Resp>& handler, const Req* req, Resp* resp) {
    ++calls_;
    {
      std::lock_guard lock(mu_);
      auto it = ctx->client_metadata().find(kUserMetadataKey);
      last_user_ = it == ctx->client_metadata().end() ? "" : std::string(it->second.data(), it->second.size());
    }
    if (!handler) return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "not faked");
    return ToGrpcStatus(handler(*req, resp));
  }

  cairn::testing::InProcessGrpcServer server_;
  std::atomic<int> calls_{0};
  mutable std::mutex mu_;
  std::string last_user_;  // guarded by mu_
};

}  // namespace cairn::client::testing
