#include "tests/support/power_cut/power_cut.h"

#include <dirent.h>
#include <fcntl.h>
#include <csignal>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "tests/support/mini_cluster.h"
#include "tests/support/power_cut/journal.h"

namespace cairn::testing {
namespace {

namespace fs = std::filesystem;
using power_cut::kGraveyard;
using power_cut::kJournalPrefix;

struct Entry {
  ino_t ino = 0;
  bool dir = false;
};
using Listing = std::map<std::string, Entry>;

// What the journals say is durable.
struct Durable {
  std::set<std::string> roots;
  std::map<std::string, Listing> listings;  // by directory path
  std::map<ino_t, uint64_t> sizes;          // by inode: last synced (or start) size
};

std::vector<std::string> Fields(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream in(line);
  for (std::string f; std::getline(in, f, '\t');) out.push_back(f);
  return out;
}

Status ReadJournal(const std::string& path, Durable* d) {
  std::ifstream in(path);
  if (!in) return IoError("cannot read {}", path);
  std::string line;
  while (std::getline(in, line)) {
    auto f = Fields(line);
    if (f.empty()) continue;
    if (f[0] == "R" && f.size() == 2) {
      d->roots.insert(f[1]);
    } else if ((f[0] == "B" || f[0] == "S") && f.size() == 3) {
      d->sizes[static_cast<ino_t>(std::stoull(f[1]))] = std::stoull(f[2]);
    } else if (f[0] == "L" && f.size() == 3) {
      Listing listing;
      const int count = std::stoi(f[2]);
      for (int i = 0; i < count; ++i) {
        if (!std::getline(in, line)) return IoError("{}: listing of {} cut short", path, f[1]);
        auto e = Fields(line);
        if (e.size() != 4 || e[0] != "E") return IoError("{}: bad entry line '{}'", path, line);
        listing[e[1]] = Entry{static_cast<ino_t>(std::stoull(e[2])), e[3] == "d"};
      }
      d->listings[f[1]] = std::move(listing);  // a later sync of the directory replaces it
    } else {
      return IoError("{}: bad line '{}'", path, line);
    }
  }
  return Status::OK();
}

Listing Current(const std::string& dir) {
  Listing out;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    struct stat st;
    if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    out[e->d_name] = Entry{st.st_ino, S_ISDIR(st.st_mode)};
  }
  ::closedir(d);
  return out;
}

// Every regular file below `dir` gets a graveyard link, so reconciling names loses none.
void KeepAll(const std::string& dir, const std::string& graveyard) {
  for (const auto& [name, e] : Current(dir)) {
    const std::string path = dir + "/" + name;
    if (e.dir) {
      KeepAll(path, graveyard);
    } else {
      (void)::link(path.c_str(), (graveyard + "/" + std::to_string(e.ino)).c_str());
    }
  }
}

// Makes `dir` hold its durable entries, then does the same below.
Status Reconcile(const std::string& dir, const Durable& d, const std::string& graveyard, PowerCutReport* r) {
  static const Listing kNone;
  auto it = d.listings.find(dir);
  const Listing& want = it == d.listings.end() ? kNone : it->second;
  Listing now = Current(dir);
  for (const auto& [name, e] : now) {
    auto w = want.find(name);
    const bool keep = w != want.end() && w->second.dir == e.dir && (e.dir || w->second.ino == e.ino);
    if (keep) continue;
    std::error_code ec;
    fs::remove_all(dir + "/" + name, ec);
    if (ec) return IoError("remove {}/{}: {}", dir, name, ec.message());
    ++r->names_removed;
    r->removed.push_back(dir + "/" + name + (e.dir ? "/" : ""));
  }
  now = Current(dir);
  for (const auto& [name, e] : want) {
    const std::string path = dir + "/" + name;
    if (!now.count(name)) {
      if (e.dir) {
        if (::mkdir(path.c_str(), 0755) != 0) return ErrnoError(errno, "mkdir " + path);
        ++r->names_restored;
      } else if (::link((graveyard + "/" + std::to_string(e.ino)).c_str(), path.c_str()) == 0) {
        ++r->names_restored;
      } else {
        ++r->names_lost;
        continue;
      }
    }
    if (e.dir) RETURN_IF_ERROR(Reconcile(path, d, graveyard, r));
  }
  return Status::OK();
}

// Cuts every file below `dir` to its durable size.
Status Truncate(const std::string& dir, const Durable& d, PowerCutReport* r) {
  for (const auto& [name, e] : Current(dir)) {
    const std::string path = dir + "/" + name;
    if (e.dir) {
      RETURN_IF_ERROR(Truncate(path, d, r));
      continue;
    }
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) return ErrnoError(errno, "stat " + path);
    auto it = d.sizes.find(st.st_ino);
    const uint64_t durable = it == d.sizes.end() ? 0 : it->second;
    if (static_cast<uint64_t>(st.st_size) <= durable) continue;
    if (::truncate(path.c_str(), static_cast<off_t>(durable)) != 0) return ErrnoError(errno, "truncate " + path);
    r->bytes_dropped += static_cast<uint64_t>(st.st_size) - durable;
    ++r->files_truncated;
  }
  return Status::OK();
}

}  // namespace

std::string PowerCutReport::ToString() const {
  std::string text = fmt::format("{} journals: {} unsynced bytes dropped from {} files, {} names removed, {} restored, {} lost",
                                 journals, bytes_dropped, files_truncated, names_removed, names_restored, names_lost);
  for (size_t i = 0; i < removed.size() && i < 8; ++i) text += "\n  removed " + removed[i];
  if (removed.size() > 8) text += fmt::format("\n  ... and {} more", removed.size() - 8);
  return text;
}

std::vector<std::pair<std::string, std::string>> PowerCutEnvironment(const std::string& state_dir) {
  return {{"LD_PRELOAD", std::string(CAIRN_BIN_DIR) + "/libcairn_power_cut.so"},
          {power_cut::kStateEnv, state_dir},
          {power_cut::kRootFlagsEnv, "datanode_data_dirs,namenode_name_dir"}};
}

Result<PowerCutReport> ApplyPowerCut(const std::string& state_dir) {
  PowerCutReport report;
  Durable durable;
  std::vector<std::string> journals;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(state_dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(kJournalPrefix, 0) == 0) journals.push_back(e.path().string());
  }
  if (ec) return IoError("list {}: {}", state_dir, ec.message());
  for (const auto& j : journals) RETURN_IF_ERROR(ReadJournal(j, &durable));
  report.journals = static_cast<int>(journals.size());
  const std::string graveyard = state_dir + "/" + kGraveyard;
  fs::create_directories(graveyard, ec);
  for (const auto& root : durable.roots) KeepAll(root, graveyard);
  for (const auto& root : durable.roots) RETURN_IF_ERROR(Reconcile(root, durable, graveyard, &report));
  for (const auto& root : durable.roots) RETURN_IF_ERROR(Truncate(root, durable, &report));
  for (const auto& j : journals) fs::remove(j, ec);
  fs::remove_all(graveyard, ec);
  return report;
}

void EnterPowerCutLayer(const std::string& state_dir) {
  for (const auto& [k, v] : PowerCutEnvironment(state_dir)) ::setenv(k.c_str(), v.c_str(), 1);
}

Status StartUnderPowerCutLayer(MiniCluster& cluster, const std::string& state_dir) {
  EnterPowerCutLayer(state_dir);
  RETURN_IF_ERROR(cluster.RestartNamenode());
  for (int i = 0; i < cluster.num_datanodes(); ++i) RETURN_IF_ERROR(cluster.RestartDatanode(i));
  return cluster.WaitForLiveDatanodes(cluster.num_datanodes());
}

Result<PowerCutReport> CutPower(MiniCluster& cluster, const std::string& state_dir,
                                const std::function<void()>& at_cut) {
  // The instant of the cut: no daemon runs a single instruction after it.
  RETURN_IF_ERROR(cluster.SignalNamenode(SIGSTOP));
  for (int i = 0; i < cluster.num_datanodes(); ++i) RETURN_IF_ERROR(cluster.SignalDatanode(i, SIGSTOP));
  if (at_cut) at_cut();
  RETURN_IF_ERROR(cluster.StopNamenode(SIGKILL));
  for (int i = 0; i < cluster.num_datanodes(); ++i) RETURN_IF_ERROR(cluster.StopDatanode(i, SIGKILL));
  ASSIGN_OR_RETURN(PowerCutReport report, ApplyPowerCut(state_dir));
  RETURN_IF_ERROR(cluster.RestartNamenode());
  for (int i = 0; i < cluster.num_datanodes(); ++i) RETURN_IF_ERROR(cluster.RestartDatanode(i));
  RETURN_IF_ERROR(cluster.WaitForLiveDatanodes(cluster.num_datanodes()));
  return report;
}

void LeavePowerCutLayer() {
  for (const auto& [k, v] : PowerCutEnvironment("")) ::unsetenv(k.c_str());
}

}  // namespace cairn::testing
