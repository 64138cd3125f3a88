#include "client/cli/format.h"

#include <ctime>

#include <fmt/format.h>

#include "common/flags.h"

namespace cairn::cli {

using nlohmann::json;

std::string ModeString(uint32_t permission, bool is_dir, bool is_symlink) {
  std::string s(10, '-');
  s[0] = is_symlink ? 'l' : (is_dir ? 'd' : '-');
  static constexpr char kRwx[] = "rwx";
  for (int i = 0; i < 9; ++i) {
    if (permission & (1u << (8 - i))) s[1 + i] = kRwx[i % 3];
  }
  if (permission & 01000) s[9] = (permission & 01) ? 't' : 'T';
  return s;
}

bool IsAbsoluteMode(const std::string& mode) {
  if (mode.empty() || mode.size() > 4) return false;
  for (char c : mode) {
    if (c < '0' || c > '7') return false;
  }
  return true;
}

Result<uint32_t> ApplyChmodMode(const std::string& mode, uint32_t current, bool is_dir) {
  if (IsAbsoluteMode(mode)) return static_cast<uint32_t>(std::stoul(mode, nullptr, 8));
  auto bad = [&] { return InvalidArgument("invalid mode '{}' (use octal like 755 or symbolic like u+x,go-w)", mode); };
  if (mode.empty()) return bad();
  uint32_t result = current & 07777;
  size_t i = 0;
  while (i <= mode.size()) {
    uint32_t who = 0;
    for (; i < mode.size() && std::string_view("ugoa").find(mode[i]) != std::string_view::npos; ++i) {
      who |= mode[i] == 'u' ? 0700u : mode[i] == 'g' ? 0070u : mode[i] == 'o' ? 0007u : 0777u;
    }
    if (who == 0) who = 0777;
    if (i >= mode.size() || std::string_view("+-=").find(mode[i]) == std::string_view::npos) return bad();
    while (i < mode.size() && std::string_view("+-=").find(mode[i]) != std::string_view::npos) {
      char op = mode[i++];
      uint32_t bits = 0;
      bool sticky = false;
      for (; i < mode.size() && mode[i] != ',' && std::string_view("+-=").find(mode[i]) == std::string_view::npos; ++i) {
        switch (mode[i]) {
          case 'r': bits |= 0444; break;
          case 'w': bits |= 0222; break;
          case 'x': bits |= 0111; break;
          case 'X': if (is_dir || (result & 0111)) bits |= 0111; break;
          case 't': sticky = true; break;
          default: return bad();
        }
      }
      bits &= who;
      if (sticky) bits |= 01000;
      if (op == '+') result |= bits;
      else if (op == '-') result &= ~bits;
      else result = (result & ~(who | (sticky ? 01000u : 0u))) | bits;
    }
    if (i == mode.size()) break;
    if (mode[i] != ',') return bad();
    ++i;
  }
  return result;
}

namespace {
std::string FormatMillis(int64_t ms, const char* format, bool utc) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  if (utc) ::gmtime_r(&t, &tm);
  else ::localtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}
}  // namespace

std::string FormatDate(int64_t ms) { return FormatMillis(ms, "%Y-%m-%d %H:%M", /*utc=*/false); }
std::string FormatUtcTime(int64_t ms) { return FormatMillis(ms, "%Y-%m-%d %H:%M:%S UTC", /*utc=*/true); }

std::string FormatSize(uint64_t bytes, bool human) { return human ? FormatByteSize(bytes) : std::to_string(bytes); }

std::vector<std::string> LsLines(const std::vector<client::FileStatus>& entries) {
  size_t w_repl = 3, w_owner = 1, w_group = 1, w_size = 10;
  auto repl = [](const client::FileStatus& st) { return st.is_dir ? std::string("-") : std::to_string(st.replication); };
  for (const auto& st : entries) {
    w_repl = std::max(w_repl, repl(st).size());
    w_owner = std::max(w_owner, st.owner.size());
    w_group = std::max(w_group, st.group.size());
    w_size = std::max(w_size, std::to_string(st.length).size());
  }
  std::vector<std::string> lines;
  lines.reserve(entries.size());
  for (const auto& st : entries) {
    lines.push_back(fmt::format("{}  {:>{}} {:<{}} {:<{}} {:>{}} {} {}", ModeString(st.permission, st.is_dir, st.is_symlink),
                                repl(st), w_repl, st.owner, w_owner, st.group, w_group, st.length, w_size,
                                FormatDate(st.modification_time), st.path));
  }
  return lines;
}

json ToJson(const client::FileStatus& st) {
  json j = {
      {"path", st.path},
      {"name", st.name},
      {"type", st.is_dir ? "directory" : (st.is_symlink ? "symlink" : "file")},
      {"length", st.length},
      {"permission", fmt::format("{:04o}", st.permission)},
      {"mode", ModeString(st.permission, st.is_dir, st.is_symlink)},
      {"owner", st.owner},
      {"group", st.group},
      {"modification_time", st.modification_time},
      {"access_time", st.access_time},
      {"replication", st.replication},
      {"block_size", st.block_size},
      {"file_id", st.file_id},
  };
  if (st.is_dir) j["children_num"] = st.children_num;
  if (st.is_symlink) j["symlink_target"] = st.symlink_target;
  return j;
}

json ToJson(const client::ContentSummary& cs, const std::string& path) {
  return {{"path", path},
          {"length", cs.length},
          {"file_count", cs.file_count},
          {"directory_count", cs.directory_count},
          {"space_consumed", cs.space_consumed}};
}

json ToJson(const client::DatanodeReport& dn) {
  return {{"uuid", dn.uuid},
          {"address", dn.address},
          {"hostname", dn.hostname},
          {"rack", dn.rack},
          {"state", dn.live ? "live" : "dead"},
          {"live", dn.live},
          {"admin_state", dn.admin_state},
          {"capacity", dn.capacity},
          {"used", dn.used},
          {"remaining", dn.remaining},
          {"blocks", dn.blocks},
          {"last_heartbeat_ms_ago", dn.last_heartbeat_ms_ago},
          {"xceivers", dn.xceivers},
          {"decommission_blocks_pending", dn.decommission_blocks_pending},
          {"failed_volumes", dn.failed_volumes},
          {"volume_failures", dn.volume_failures}};
}

std::string FsckStatus(const FsckResponse& fsck) {
  return fsck.missing_blocks() > 0 || fsck.corrupt_blocks() > 0 ? "CORRUPT" : "HEALTHY";
}

namespace {
json BlockJson(const FsckBlock& b) {
  json replicas = json::array();
  int live = 0;
  for (const auto& r : b.replicas()) {
    if (!r.corrupt()) ++live;
    replicas.push_back({{"datanode", r.datanode()},
                        {"datanode_uuid", r.datanode_uuid()},
                        {"rack", r.rack()},
                        {"corrupt", r.corrupt()},
                        {"decommissioning", r.decommissioning()},
                        {"stale", r.stale()}});
  }
  return {{"block_id", b.block_id()},
          {"gen_stamp", b.gen_stamp()},
          {"name", fmt::format("blk_{}_{}", b.block_id(), b.gen_stamp())},
          {"num_bytes", b.num_bytes()},
          {"expected_replication", b.expected_replication()},
          {"live_replicas", live},
          {"health", FsckBlock::Health_Name(b.health())},
          {"mis_replicated", b.mis_replicated()},
          {"replicas", std::move(replicas)}};
}
}  // namespace

json ToJson(const FsckResponse& fsck, const std::string& path) {
  json files = json::array();
  for (const auto& f : fsck.files()) {
    json blocks = json::array();
    for (const auto& b : f.blocks()) blocks.push_back(BlockJson(b));
    files.push_back({{"path", f.path()},
                     {"length", f.length()},
                     {"replication", f.replication()},
                     {"under_construction", f.under_construction()},
                     {"healthy", f.healthy()},
                     {"status", FsckBlock::Health_Name(f.health())},
                     {"blocks", std::move(blocks)}});
  }
  return {{"path", path},
          {"status", FsckStatus(fsck)},
          {"healthy", FsckStatus(fsck) == "HEALTHY"},
          {"total_files", fsck.total_files()},
          {"total_dirs", fsck.total_dirs()},
          {"total_bytes", fsck.total_bytes()},
          {"total_blocks", fsck.total_blocks()},
          {"healthy_blocks", fsck.healthy_blocks()},
          {"under_replicated_blocks", fsck.under_replicated_blocks()},
          {"missing_blocks", fsck.missing_blocks()},
          {"corrupt_blocks", fsck.corrupt_blocks()},
          {"mis_replicated_blocks", fsck.mis_replicated_blocks()},
          {"over_replicated_blocks", fsck.over_replicated_blocks()},
          {"live_datanodes", fsck.live_datanodes()},
          {"dead_datanodes", fsck.dead_datanodes()},
          {"default_replication", fsck.default_replication()},
          {"files", std::move(files)}};
}

}  // namespace cairn::cli
