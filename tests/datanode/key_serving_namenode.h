// KeyServingNamenode: an in-process gRPC cairn.DatanodeProtocol server that accepts any
// datanode and hands it this test's block token keys (at registration and in heartbeats),
// so tests of a cairn-datanode process can sign the tokens the datanode checks. Reports
// are accepted and dropped; heartbeats are counted.
//
// Thread-safety: gRPC threads call the handlers; Token and heartbeats are thread-safe.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "cairn/datanode_protocol.grpc.pb.h"
#include "common/block_token.h"
#include "common/clock.h"
#include "tests/support/grpc_test_server.h"

namespace cairn::datanode::testing {

class KeyServingNamenode final : public DatanodeProtocol::Service {
 public:
  KeyServingNamenode() { keys_.RollIfDue(WallMillis()); }
  ~KeyServingNamenode() override { Stop(); }

  void Start() { server_.Start(this); }
  void Stop() { server_.Stop(); }
  std::string address() const { return server_.address(); }
  int heartbeats() const { return heartbeats_.load(); }
  hadoop::common::TokenProto Token(uint64_t block_id, uint32_t modes = kBlockRead | kBlockWrite) const {
    return keys_.Issue("test", "BP-test", block_id, modes, WallMillis());
  }

  grpc::Status RegisterDatanode(grpc::ServerContext*, const RegisterDatanodeRequest*,
                                RegisterDatanodeResponse* resp) override {
    resp->set_cluster_id("CID-test");
    resp->set_block_pool_id("BP-test");
    resp->set_heartbeat_interval_ms(100);
    *resp->mutable_block_keys() = keys_.Export();
    return grpc::Status::OK;
  }
  grpc::Status Heartbeat(grpc::ServerContext*, const HeartbeatRequest* req, HeartbeatResponse* resp) override {
    if (req->block_keys_version() != keys_.version()) *resp->mutable_block_keys() = keys_.Export();
    ++heartbeats_;
    return grpc::Status::OK;
  }
  grpc::Status BlockReport(grpc::ServerContext*, const BlockReportRequest*, BlockReportResponse*) override {
    return grpc::Status::OK;
  }
  grpc::Status BlockReceivedAndDeleted(grpc::ServerContext*, const IncrementalBlockReportRequest*,
                                       IncrementalBlockReportResponse*) override {
    return grpc::Status::OK;
  }

 private:
  BlockKeyRing keys_;
  std::atomic<int> heartbeats_{0};
  cairn::testing::InProcessGrpcServer server_;
};

}  // namespace cairn::datanode::testing
