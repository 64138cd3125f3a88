#include "tests/support/network_lab.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <random>
#include <sstream>

#include <fmt/format.h>

#include "tests/support/process.h"

namespace cairn::testing {

namespace {

std::string IpTool() {
  for (const char* p : {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"}) {
    if (::access(p, X_OK) == 0) return p;
  }
  return "";
}

// Runs `ip args...`; the error carries ip's own message.
Result<std::string> Ip(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {IpTool()};
  argv.insert(argv.end(), args.begin(), args.end());
  ASSIGN_OR_RETURN(CommandResult r, RunCommand(argv, {}, "", /*merge_stderr=*/true, 30000));
  if (r.exit_code != 0) {
    std::string cmd;
    for (const auto& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
    std::string out = r.out;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    const bool denied = out.find("Operation not permitted") != std::string::npos ||
                        out.find("Permission denied") != std::string::npos;
    return Status(denied ? ErrorCode::kPermissionDenied : ErrorCode::kIoError,
                  fmt::format("`{}` failed ({}): {}", cmd, r.exit_code, out));
  }
  return r.out;
}

// Removes namespaces of earlier labs whose process is gone.
void RemoveStale() {
  auto list = Ip({"netns", "list"});
  if (!list.ok()) return;
  std::istringstream in(*list);
  std::string line;
  while (std::getline(in, line)) {
    std::string name = line.substr(0, line.find(' '));
    if (name.rfind("cairn-", 0) != 0) continue;
    pid_t pid = static_cast<pid_t>(std::atoi(name.c_str() + 6));
    if (pid <= 0 || (::kill(pid, 0) != 0 && errno == ESRCH)) (void)Ip({"netns", "del", name});
  }
}

}  // namespace

Result<std::unique_ptr<NetworkLab>> NetworkLab::Create() {
  if (IpTool().empty()) return Unimplemented("the `ip` tool (iproute2) is not installed");
  if (::geteuid() != 0) return PermissionDenied("network namespaces need root; running as uid {}", ::geteuid());
  RemoveStale();
  static std::atomic<int> counter{0};
  std::unique_ptr<NetworkLab> lab(new NetworkLab());
  lab->prefix_ = fmt::format("cairn-{}-{}", ::getpid(), counter++);
  ASSIGN_OR_RETURN(std::string addrs, Ip({"-o", "-4", "addr", "show"}));
  std::mt19937 rng(std::random_device{}());
  for (int tries = 0; tries < 200 && lab->net_ == 0; ++tries) {
    int n = 64 + static_cast<int>(rng() % 128);
    if (addrs.find(fmt::format(" 10.{}.", n)) == std::string::npos) lab->net_ = n;
  }
  if (lab->net_ == 0) return ResourceExhausted("no free 10.N.0.0/16 range for a network lab");
  Status st = lab->Setup();
  if (!st.ok()) return st;  // the destructor removes what was made
  return lab;
}

Status NetworkLab::Setup() {
  hub_ = prefix_ + "-hub";
  RETURN_IF_ERROR(Ip({"netns", "add", hub_}).status());
  RETURN_IF_ERROR(Ip({"-n", hub_, "link", "add", "br0", "type", "bridge"}).status());
  RETURN_IF_ERROR(Ip({"-n", hub_, "link", "set", "br0", "up"}).status());
  // The test process's own link: cl<N>r here, its peer plugged into the bridge.
  root_link_ = fmt::format("cl{}r", net_);
  const std::string peer = fmt::format("cl{}p", net_);
  RETURN_IF_ERROR(Ip({"link", "add", root_link_, "type", "veth", "peer", "name", peer}).status());
  RETURN_IF_ERROR(Ip({"link", "set", peer, "netns", hub_}).status());
  RETURN_IF_ERROR(Ip({"-n", hub_, "link", "set", peer, "master", "br0"}).status());
  RETURN_IF_ERROR(Ip({"-n", hub_, "link", "set", peer, "up"}).status());
  RETURN_IF_ERROR(Ip({"addr", "add", fmt::format("10.{}.0.1/16", net_), "dev", root_link_}).status());
  return Ip({"link", "set", root_link_, "up"}).status();
}

NetworkLab::~NetworkLab() {
  for (const auto& h : hosts_) (void)Ip({"netns", "del", h.netns});
  if (!hub_.empty()) (void)Ip({"netns", "del", hub_});
  // Deleting the hub took the peer, and with it our end; make sure.
  if (!root_link_.empty()) (void)Ip({"link", "del", root_link_});
}

Result<int> NetworkLab::AddHost(const std::string& name, int subnet, int host_byte) {
  if (subnet < 0 || subnet > 255 || host_byte < 2 || host_byte > 254)
    return InvalidArgument("host address 10.{}.{}.{} is not usable", net_, subnet, host_byte);
  const int index = static_cast<int>(hosts_.size());
  Host h{name, prefix_ + "-" + name, fmt::format("10.{}.{}.{}", net_, subnet, host_byte)};
  RETURN_IF_ERROR(Ip({"netns", "add", h.netns}).status());
  hosts_.push_back(h);
  const std::string port = fmt::format("p{}", index);
  RETURN_IF_ERROR(Ip({"-n", h.netns, "link", "set", "lo", "up"}).status());
  RETURN_IF_ERROR(Ip({"-n", h.netns, "link", "add", "eth0", "type", "veth", "peer", "name", port}).status());
  RETURN_IF_ERROR(Ip({"-n", h.netns, "link", "set", port, "netns", hub_}).status());
  RETURN_IF_ERROR(Ip({"-n", hub_, "link", "set", port, "master", "br0"}).status());
  RETURN_IF_ERROR(Ip({"-n", hub_, "link", "set", port, "up"}).status());
  RETURN_IF_ERROR(Ip({"-n", h.netns, "addr", "add", h.ip + "/16", "dev", "eth0"}).status());
  RETURN_IF_ERROR(Ip({"-n", h.netns, "link", "set", "eth0", "up"}).status());
  return index;
}

std::string NetworkLab::SubnetRange(int subnet) const { return fmt::format("10.{}.{}.0/24", net_, subnet); }

std::vector<std::string> NetworkLab::Command(int host, std::vector<std::string> argv) const {
  std::vector<std::string> out = {IpTool(), "netns", "exec", hosts_.at(host).netns};
  out.insert(out.end(), std::make_move_iterator(argv.begin()), std::make_move_iterator(argv.end()));
  return out;
}

Status NetworkLab::SetLinkUp(int host, bool up) {
  return Ip({"-n", hosts_.at(host).netns, "link", "set", "eth0", up ? "up" : "down"}).status();
}

}  // namespace cairn::testing
