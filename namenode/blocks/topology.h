// Topology: which rack a host is on, from the namenode's topology file. Lines are
// "host-or-ip[:port] /rack", '#' starts a comment. Lookups try ip:port, host:port, ip and
// host in that order; unknown hosts get the caller's fallback (the datanode's own rack
// hint, else /default-rack).
//
// Thread-safety: immutable after Load; read from any thread.
#pragma once

#include <string>
#include <unordered_map>

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
  size_t size() const { return racks_.size(); }

 private:
  std::unordered_map<std::string, std::string> racks_;
};

// Normalises a rack name: leading '/', no trailing '/'; "" stays "".
std::string NormalizeRack(std::string_view rack);

}  // namespace cairn::namenode
