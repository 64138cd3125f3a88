// NetworkLab: separate network hosts on one machine for fault tests, made of Linux network
// namespaces. A hub namespace holds a bridge; each host is a namespace with one veth link
// (eth0) plugged into that bridge and its own IPv4 address in a private /16 picked for this
// lab (10.N.0.0/16, N chosen so that no interface of the machine uses it). The test
// process itself stays in the root namespace and reaches every host through a veth of its
// own (10.N.0.1). Processes run in a host with `ip netns exec <namespace> ...` (see
// Command()). A host is cut off by taking its link down and joined again by bringing it
// up: the other end sees silence, exactly as with a pulled cable.
//
// Needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) and the `ip` tool; Create() says so with
// kPermissionDenied or kUnimplemented otherwise, and the test should skip. Everything is
// removed again by the destructor; namespaces left by a crashed test (their pid is gone)
// are removed by the next Create().
//
// Thread-safety: one test thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace cairn::testing {

class NetworkLab {
 public:
  static Result<std::unique_ptr<NetworkLab>> Create();
  ~NetworkLab();

  // A host with the address 10.N.<subnet>.<host_byte>/16 (subnet 0 is the lab's own
  // range, host bytes 1 and 255 are taken). Returns its index.
  Result<int> AddHost(const std::string& name, int subnet, int host_byte);
  const std::string& ip(int host) const { return hosts_.at(host).ip; }
  const std::string& netns(int host) const { return hosts_.at(host).netns; }
  // "a.b.c.0/24" of a subnet, for rack maps.
  std::string SubnetRange(int subnet) const;
  // argv prefixed to run inside the host's namespace.
  std::vector<std::string> Command(int host, std::vector<std::string> argv) const;
  // Takes the host's link down (cut off) or up again.
  Status SetLinkUp(int host, bool up);

 private:
  NetworkLab() = default;
  Status Setup();
  struct Host {
    std::string name;
    std::string netns;
    std::string ip;
  };
  std::string prefix_;  // "cairn-<pid>-<n>": namespace names start with it
  int net_ = 0;         // N of 10.N.0.0/16
  std::string hub_;
  std::string root_link_;
  std::vector<Host> hosts_;
};

}  // namespace cairn::testing
