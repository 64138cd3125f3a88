// Hadoop IPC call frames as the namenode's IPC door parses them: the call headers, then the
// connection context, a SASL message or a request of a ClientProtocol method.
#include <string_view>

#include "common/ipc_framing.h"
#include "common/proto_io.h"
#include "hadoop/ClientNamenodeProtocol.pb.h"
#include "hadoop/IpcConnectionContext.pb.h"
#include "tests/fuzz/fuzz_target.h"

using namespace cairn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  ipc::IpcCall call;
  if (!ipc::ParseCallFrame(frame, &call).ok()) return 0;
  std::string_view body = call.body;
  switch (call.rpc_header.callid()) {
    case ipc::kConnectionContextCallId: {
      hadoop::common::IpcConnectionContextProto context;
      (void)ConsumeDelimited(&body, &context);
      break;
    }
    case ipc::kSaslCallId: {
      hadoop::common::RpcSaslProto sasl;
      (void)ConsumeDelimited(&body, &sasl);
      break;
    }
    default: {
      hadoop::hdfs::CreateRequestProto create;
      std::string_view again = body;
      (void)ConsumeDelimited(&again, &create);
      hadoop::hdfs::GetListingRequestProto listing;
      (void)ConsumeDelimited(&body, &listing);
      break;
    }
  }
  return 0;
}

std::vector<std::string> CairnFuzzSeeds() {
  const std::string client_id(16, 'c');
  std::vector<std::string> framed;
  framed.push_back(ipc::BuildConnectionContextFrame("alice", client_id));
  hadoop::common::RpcSaslProto negotiate;
  negotiate.set_state(hadoop::common::RpcSaslProto::NEGOTIATE);
  framed.push_back(ipc::BuildSaslFrame(negotiate));
  hadoop::hdfs::CreateRequestProto create;
  create.set_src("/a/b");
  create.mutable_masked()->set_perm(0644);
  create.set_clientname("c");
  create.set_createflag(1);
  create.set_createparent(true);
  create.set_replication(3);
  create.set_blocksize(128 << 20);
  framed.push_back(ipc::BuildCallFrame(7, client_id, "create", create));
  hadoop::hdfs::GetListingRequestProto listing;
  listing.set_src("/");
  listing.set_startafter("");
  listing.set_needlocation(true);
  framed.push_back(ipc::BuildCallFrame(8, client_id, "getListing", listing));
  std::vector<std::string> seeds;
  for (auto& f : framed) seeds.push_back(f.substr(4));  // the door parses a frame after its length
  return seeds;
}
