#include "namenode/blocks/topology.h"

#include <arpa/inet.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>

namespace cairn::namenode {

namespace {
std::optional<uint32_t> ParseIpv4(const std::string& text) {
  in_addr addr{};
  if (::inet_pton(AF_INET, text.c_str(), &addr) != 1) return std::nullopt;
  return ntohl(addr.s_addr);
}

uint32_t Mask(int prefix) { return prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix); }
}  // namespace

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
    if (size_t slash = host.find('/'); slash != std::string::npos) {
      std::optional<uint32_t> ip = ParseIpv4(host.substr(0, slash));
      int prefix = -1;
      try {
        prefix = std::stoi(host.substr(slash + 1));
      } catch (...) {
      }
      if (!ip || prefix < 0 || prefix > 32)
        return InvalidArgument("topology line {}: '{}' is not an IPv4 range a.b.c.d/len", lineno, host);
      t.ranges_.push_back(Range{*ip & Mask(prefix), prefix, normalized});
      continue;
    }
    t.racks_[host] = normalized;
  }
  std::stable_sort(t.ranges_.begin(), t.ranges_.end(), [](const Range& a, const Range& b) { return a.prefix > b.prefix; });
  return t;
}

std::string Topology::RackOf(const std::string& ip, const std::string& host, int port) const {
  const std::string port_text = ":" + std::to_string(port);
  if (!racks_.empty()) {
    for (const std::string& key : {ip + port_text, host + port_text, ip, host}) {
      auto it = racks_.find(key);
      if (it != racks_.end()) return it->second;
    }
  }
  if (!ranges_.empty()) {
    if (std::optional<uint32_t> addr = ParseIpv4(ip)) {
      for (const Range& r : ranges_) {
        if ((*addr & Mask(r.prefix)) == r.network) return r.rack;
      }
    }
  }
  return "";
}

}  // namespace cairn::namenode
