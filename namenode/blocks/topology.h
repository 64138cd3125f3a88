// Topology: which rack a host is on, from the namenode's topology file. Lines are
// "host-or-ip[:port] /rack" or "a.b.c.d/len /rack" (an IPv4 address range: a rack is often
// a subnet), '#' starts a comment. Lookups try ip:port, host:port, ip and host in that
// order, then the longest address range holding the ip; unknown hosts get the caller's
// fallback (the datanode's own rack hint, else /default-rack).
//
// Thread-safety: immutable after Load; read from any thread.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace cairn::namenode {

inline constexpr const char* kDefaultRack = "/default-rack";

class Topology {
 public:
  // An empty path gives an empty topology.
  static Result<Topology> Load(const std::string& path);
  static Result<Topology> Parse(std::string_view text);

  // "" when neither the address nor the name is listed.
  std::string RackOf(const std::string& ip, const std::string& host, int port) const;
  size_t size() const { return racks_.size() + ranges_.size(); }

 private:
  struct Range {
    uint32_t network = 0;  // host order, masked
    int prefix = 0;
    std::string rack;
  };
  std::unordered_map<std::string, std::string> racks_;
  std::vector<Range> ranges_;  // longest prefix first
};

// Normalises a rack name: leading '/', no trailing '/'; "" stays "".
std::string NormalizeRack(std::string_view rack);

}  // namespace cairn::namenode
