// MethodTable: the one list of client operations, keyed by Hadoop's ClientProtocol method
// name ("getFileInfo"). Each entry holds the request and response prototypes (to parse and
// build messages without knowing their types) and the handler. Both front doors, gRPC and
// Hadoop IPC, dispatch through the same table, so every operation has one implementation
// and the table knows nothing about any transport.
//
// Thread-safety: filled once at start-up (Add), then read concurrently (Find) without locks.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/message.h>

#include "common/status.h"
#include "namenode/rpc/call_context.h"

namespace cairn::namenode {

class MethodTable {
 public:
  using Handler =
      std::function<Status(const CallContext&, const google::protobuf::Message& req, google::protobuf::Message* resp)>;
  // Runs a call on the calling (I/O) thread without waiting for the disk: done(status) is
  // called, now or later on another thread, once *resp may be sent. Returns false when the
  // call cannot finish that way (it would have to wait for something else); the front door
  // then runs `handler` on its pool, and whatever the attempt did is safe to do again.
  using Done = std::function<void(const Status&)>;
  using InlineHandler = std::function<bool(const CallContext&, const google::protobuf::Message& req,
                                           google::protobuf::Message* resp, Done done)>;

  struct Method {
    std::string name;
    const google::protobuf::Message* request_prototype = nullptr;   // Req::default_instance()
    const google::protobuf::Message* response_prototype = nullptr;  // Resp::default_instance()
    Handler handler;
    // Answers from memory without waiting for the disk, a sync or another call (reads
    // under the shared namespace lock): a front door may run it on its own I/O thread
    // instead of handing it to the handler pool, saving two thread switches per call.
    bool nonblocking = false;
    // Set for changes whose only wait is the WAL sync (see InlineHandler); empty otherwise.
    InlineHandler try_inline;
  };

  // Registers a typed handler; a name registered twice replaces the first.
  template <typename Req, typename Resp>
  void Add(const std::string& name, std::function<Status(const CallContext&, const Req&, Resp*)> fn,
           bool nonblocking = false) {
    Method m;
    m.name = name;
    m.nonblocking = nonblocking;
    m.request_prototype = &Req::default_instance();
    m.response_prototype = &Resp::default_instance();
    m.handler = [fn = std::move(fn)](const CallContext& ctx, const google::protobuf::Message& req,
                                     google::protobuf::Message* resp) -> Status {
      return fn(ctx, static_cast<const Req&>(req), static_cast<Resp*>(resp));
    };
    methods_[name] = std::move(m);
  }

  // Gives a registered method its InlineHandler, typed like Add's handler.
  template <typename Req, typename Resp>
  void SetInline(const std::string& name,
                 std::function<bool(const CallContext&, const Req&, Resp*, Done)> fn) {
    methods_.at(name).try_inline = [fn = std::move(fn)](const CallContext& ctx, const google::protobuf::Message& req,
                                                         google::protobuf::Message* resp, Done done) {
      return fn(ctx, static_cast<const Req&>(req), static_cast<Resp*>(resp), std::move(done));
    };
  }

  // nullptr for an unknown name.
  const Method* Find(std::string_view name) const;
  std::vector<std::string> Names() const;

 private:
  std::map<std::string, Method, std::less<>> methods_;
};

// "/cairn.ClientNamenode/GetFileInfo" -> "getFileInfo"; "" when the path has no method.
std::string MethodNameFromGrpcPath(std::string_view path);

}  // namespace cairn::namenode
