// CallContext: who is calling. Each front door fills one per call (gRPC: the x-cairn-user
// metadata; Hadoop IPC: the connection context) and hands it to the handler together with
// the request; permission checks and leases read it.
//
// Thread-safety: a value; read-only while a handler runs.
#pragma once

#include <string>
#include <vector>

namespace cairn::namenode {

struct CallContext {
  std::string user;                 // effective user name
  std::vector<std::string> groups;  // the user's groups, from UserGroupResolver
  std::string client_address;       // caller's IP address without port ("" when unknown)
};

}  // namespace cairn::namenode
