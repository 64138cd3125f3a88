#include "datanode/recovery/inter_datanode.h"

#include <chrono>

#include "cairn/inter_datanode.grpc.pb.h"
#include "common/clock.h"
#include "common/grpc_status.h"
#include "common/socket.h"

namespace cairn::datanode {

namespace {
void SetError(const Status& st, InterDatanodeResponse* out) {
  out->set_error_code(std::string(ErrorCodeName(st.code())));
  out->set_error_message(st.message());
}
}  // namespace

hadoop::common::TokenProto RecoveryToken(const BlockKeyRing* block_keys, const hadoop::hdfs::ExtendedBlockProto& block) {
  if (block_keys == nullptr) return EmptyBlockToken();
  return block_keys->Issue("block-recovery", block.poolid(), block.blockid(), kBlockReplace, WallMillis());
}

InterDatanodeResponse HandleInterDatanode(BlockStore& store, const InterDatanodeRequest& request,
                                          const BlockKeyRing* block_keys) {
  InterDatanodeResponse out;
  if (block_keys != nullptr) {
    const auto& block = request.has_init_replica_recovery() ? request.init_replica_recovery().block()
                                                            : request.update_replica_under_recovery().block();
    Status access = block_keys->Check(request.token(), block.blockid(), kBlockReplace, WallMillis());
    if (!access.ok()) {
      SetError(access.WithContext("block recovery call refused"), &out);
      return out;
    }
  }
  switch (request.call_case()) {
    case InterDatanodeRequest::kInitReplicaRecovery: {
      const auto& r = request.init_replica_recovery();
      auto info = store.InitReplicaRecovery(r.block().blockid(), r.block().generationstamp(), r.recovery_id());
      if (!info.ok()) {
        SetError(info.status(), &out);
        break;
      }
      auto* res = out.mutable_init_replica_recovery();
      res->set_gen_stamp(info->gen_stamp);
      res->set_num_bytes(info->bytes_on_disk);
      res->set_finalized(info->state == ReplicaState::kFinalized);
      break;
    }
    case InterDatanodeRequest::kUpdateReplicaUnderRecovery: {
      const auto& r = request.update_replica_under_recovery();
      auto info = store.UpdateReplicaUnderRecovery(r.block().blockid(), r.recovery_id(), r.new_length(),
                                                   r.truncate());
      if (!info.ok()) {
        SetError(info.status(), &out);
        break;
      }
      out.mutable_update_replica_under_recovery()->set_storage_id(info->storage_id);
      break;
    }
    default:
      SetError(InvalidArgument("inter-datanode request names no call"), &out);
  }
  return out;
}

Result<InterDatanodeResponse> CallInterDatanode(const hadoop::hdfs::DatanodeInfoProto& node,
                                                const InterDatanodeRequest& request, int timeout_ms,
                                                std::shared_ptr<grpc::ChannelCredentials> credentials) {
  const std::string address = HostPort{node.id().ipaddr(), static_cast<int>(node.id().ipcport())}.ToString();
  if (node.id().ipcport() == 0)
    return Unavailable("datanode {} advertises no inter-datanode port", node.id().datanodeuuid());
  auto stub = InterDatanode::NewStub(
      grpc::CreateChannel(address, credentials ? credentials : grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeout_ms));
  InterDatanodeResponse response;
  grpc::Status st = stub->Call(&ctx, request, &response);
  if (!st.ok()) return FromGrpcStatus(st).WithContext("recovery call to datanode " + address);
  if (response.has_error_code())
    return Status(ErrorCodeFromName(response.error_code()), response.error_message()).WithContext("datanode " + address);
  return response;
}

}  // namespace cairn::datanode
