// LocalAddresses: the IP addresses of this machine's network interfaces, read once with
// getifaddrs(). Readers use it to prefer a replica on the local datanode.
//
// Thread-safety: immutable after construction.
#pragma once

#include <set>
#include <string>

namespace cairn::client {

class LocalAddresses {
 public:
  // Reads the interfaces now (an empty set if that fails).
  LocalAddresses();
  explicit LocalAddresses(std::set<std::string> addresses) : addresses_(std::move(addresses)) {}

  bool Contains(const std::string& ip) const { return addresses_.count(ip) > 0; }
  const std::set<std::string>& addresses() const { return addresses_; }

 private:
  std::set<std::string> addresses_;
};

}  // namespace cairn::client
