// The namenode IPC door's connection state machine (namenode/ipc/) fed arbitrary byte
// streams over a real socket: preamble, handshake and call frames in any order, cut
// anywhere, against a running HadoopIpcServer with a nonblocking and a pool-run method.
// After the client's stream ends, the server must close the connection within the
// request deadline (a hang is a crash here) and keep serving: the next input connects.
#include <cstdlib>
#include <memory>
#include <string>

#include "common/ipc_framing.h"
#include "common/socket.h"
#include "hadoop/ClientNamenodeProtocol.pb.h"
#include "namenode/ipc/ipc_server.h"
#include "namenode/rpc/method_table.h"
#include "namenode/rpc/user_group_resolver.h"
#include "tests/fuzz/fuzz_target.h"

using namespace cairn;
using cairn::namenode::CallContext;
using cairn::namenode::MethodTable;
using cairn::namenode::UserGroupResolver;
namespace hh = hadoop::hdfs;

namespace {
constexpr int kDeadlineMs = 2000;

struct Door {
  MethodTable methods;
  std::unique_ptr<UserGroupResolver> groups;
  std::unique_ptr<namenode::ipc::HadoopIpcServer> server;
};

Door* StartDoor() {
  auto* door = new Door;
  door->methods.Add<hh::GetFileInfoRequestProto, hh::GetFileInfoResponseProto>(
      "getFileInfo",
      [](const CallContext&, const hh::GetFileInfoRequestProto& req, hh::GetFileInfoResponseProto* resp) {
        if (req.src() == "/") resp->mutable_fs()->set_path("");
        return Status::OK();
      },
      /*nonblocking=*/true);
  door->methods.Add<hh::MkdirsRequestProto, hh::MkdirsResponseProto>(
      "mkdirs", [](const CallContext& caller, const hh::MkdirsRequestProto& req, hh::MkdirsResponseProto* resp) {
        if (caller.user.empty()) return PermissionDenied("no user");
        resp->set_result(req.src().size() > 1);
        return Status::OK();
      });
  auto groups = UserGroupResolver::Create("alice=staff");
  if (!groups.ok()) std::abort();
  door->groups = std::move(groups).value();
  namenode::ipc::IpcSettings settings;
  settings.reader_threads = 1;
  settings.handler_threads = 2;
  settings.request_timeout_ms = kDeadlineMs;
  settings.idle_timeout_ms = kDeadlineMs;
  settings.max_frame_bytes = 1 << 20;
  door->server = std::make_unique<namenode::ipc::HadoopIpcServer>(settings, door->methods, *door->groups);
  if (!door->server->Start("127.0.0.1", 0).ok()) std::abort();
  return door;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (1 << 16)) return 0;
  static Door* const door = StartDoor();
  auto socket = ConnectTcp("127.0.0.1", door->server->port(), kDeadlineMs);
  if (!socket.ok()) std::abort();  // the door stopped accepting
  (void)socket->SetTimeouts(3 * kDeadlineMs, 3 * kDeadlineMs);
  // The server may close mid-stream (a malformed frame): that only fails the write.
  (void)socket->WriteFully(data, size);
  socket->ShutdownWrite();
  char buf[4096];
  for (;;) {
    auto n = socket->ReadSome(buf, sizeof buf);
    if (n.ok() && *n == 0) break;  // the server closed: done
    if (!n.ok()) {
      if (n.status().code() == ErrorCode::kTimedOut) std::abort();  // the connection hangs
      break;                                                        // reset: closed too
    }
  }
  return 0;
}

std::vector<std::string> CairnFuzzSeeds() {
  const std::string client_id(16, 'c');
  const std::string start = ipc::BuildConnectionStart("alice", client_id);
  hh::GetFileInfoRequestProto info;
  info.set_src("/");
  hh::MkdirsRequestProto mkdirs;
  mkdirs.set_src("/a");
  mkdirs.mutable_masked()->set_perm(0755);
  mkdirs.set_createparent(true);
  hadoop::common::RpcSaslProto negotiate;
  negotiate.set_state(hadoop::common::RpcSaslProto::NEGOTIATE);
  const std::string calls = ipc::BuildCallFrame(0, client_id, "getFileInfo", info) +
                            ipc::BuildCallFrame(1, client_id, "mkdirs", mkdirs) +
                            ipc::BuildCallFrame(2, client_id, "noSuchMethod", info);
  return {start + calls,
          ipc::BuildPreamble(ipc::kAuthSasl) + ipc::BuildSaslFrame(negotiate) +
              ipc::BuildConnectionContextFrame("alice", client_id) + calls,
          start,
          ipc::BuildPreamble(ipc::kAuthNone) + calls};
}
