// FakeDatanode: a one-connection DataTransferProtocol peer for unit tests of the client's
// block reader and write pipeline. It listens on 127.0.0.1:0 and runs the test's handler
// on the first connection in a background thread.
//
// Thread-safety: construct and destroy on the test thread; the handler runs on its own.
#pragma once

#include <functional>
#include <string>
#include <thread>

#include "common/socket.h"
#include "hadoop/hdfs.pb.h"

namespace cairn::client::testing {

class FakeDatanode {
 public:
  using Handler = std::function<void(Socket&, BufferedReader&)>;

  explicit FakeDatanode(Handler handler) {
    auto l = Listener::Listen("127.0.0.1", 0);
    if (l.ok()) listener_ = std::move(*l);
    thread_ = std::thread([this, handler = std::move(handler)] {
      auto s = listener_.Accept();
      if (!s.ok()) return;
      (void)s->SetTimeouts(10000, 10000);
      BufferedReader in(&*s);
      handler(*s, in);
    });
  }
  ~FakeDatanode() { Join(); }

  // Waits for the handler to finish.
  void Join() {
    if (!thread_.joinable()) return;
    listener_.Shutdown();
    thread_.join();
  }

  int port() const { return listener_.port(); }
  hadoop::hdfs::DatanodeInfoProto Info(const std::string& uuid) const { return NodeInfo(uuid, port()); }

  // A DatanodeInfoProto with every required field set.
  static hadoop::hdfs::DatanodeInfoProto NodeInfo(const std::string& uuid, int port) {
    hadoop::hdfs::DatanodeInfoProto dn;
    auto* id = dn.mutable_id();
    id->set_ipaddr("127.0.0.1");
    id->set_hostname("localhost");
    id->set_datanodeuuid(uuid);
    id->set_xferport(static_cast<uint32_t>(port));
    id->set_infoport(0);
    id->set_ipcport(0);
    return dn;
  }

 private:
  Listener listener_;
  std::thread thread_;
};

}  // namespace cairn::client::testing
