#include "namenode/blocks/topology.h"

#include <fstream>
#include <sstream>

namespace cairn::namenode {

std::string NormalizeRack(std::string_view rack) {
  while (!rack.empty() && rack.back() == '/') rack.remove_suffix(1);
  if (rack.empty()) return "";
  std::string out;
  if (rack.front() != '/') out += '/';
  out.append(rack);
  return out;
}

Result<Topology> Topology::Load(const std::string& path) {
  if (path.empty()) return Topology();
  std::ifstream in(path);
  if (!in) return InvalidArgument("cannot read topology file {}", path);
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = Parse(text.str());
  if (!parsed.ok()) return parsed.status().WithContext(path);
  return parsed;
}

Result<Topology> Topology::Parse(std::string_view text) {
  Topology t;
  std::istringstream in{std::string(text)};
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream fields(line);
    std::string host, rack, extra;
    if (!(fields >> host)) continue;
    if (!(fields >> rack) || (fields >> extra))
      return InvalidArgument("topology line {}: expected 'host[:port] /rack', got '{}'", lineno, line);
    std::string normalized = NormalizeRack(rack);
    if (normalized.empty()) return InvalidArgument("topology line {}: empty rack", lineno);
    t.racks_[host] = normalized;
  }
  return t;
}

std::string Topology::RackOf(const std::string& ip, const std::string& host, int port) const {
  if (racks_.empty()) return "";
  const std::string port_text = ":" + std::to_string(port);
  for (const std::string& key : {ip + port_text, host + port_text, ip, host}) {
    auto it = racks_.find(key);
    if (it != racks_.end()) return it->second;
  }
  return "";
}

}  // namespace cairn::namenode
