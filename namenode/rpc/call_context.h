// CallContext: who is calling. Each front door fills one per call (gRPC: the x-cairn-user
// metadata; Hadoop IPC: the connection context) and hands it to the handler together with
// the request; permission checks and leases read it.
//
// Thread-safety: a value; read-only while a handler runs.
#pragma once

#include <string>
#include <vector>

namespace cairn::namenode {

// How the caller proved who it is.
enum class AuthMethod {
  kSimple,    // it said so (--security=simple)
  kKerberos,  // a Kerberos ticket (SASL GSSAPI, or the gRPC door's login)
  kToken,     // a delegation token (SASL DIGEST-MD5, or the gRPC door's token header)
};

struct CallContext {
  std::string user;                 // effective user name
  AuthMethod auth = AuthMethod::kSimple;
  std::string real_user;            // a proxy user acting as `user` (ProxyUsers); else ""
  std::vector<std::string> groups;  // the user's groups, from UserGroupResolver
  std::string client_address;       // caller's IP address without port ("" when unknown)
};

}  // namespace cairn::namenode
