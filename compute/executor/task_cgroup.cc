#include "compute/executor/task_cgroup.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "common/split.h"
#include "common/whole_file.h"

namespace cairn::compute {
namespace {

constexpr uint64_t kCpuPeriodMicros = 100000;

struct Mount {
  std::string root;   // the part of the hierarchy mounted
  std::string point;  // where
  std::string type;
  std::vector<std::string> options;  // super options: the controllers of a v1 hierarchy
};

bool Contains(const std::vector<std::string>& v, const std::string& x) {
  for (const auto& e : v)
    if (e == x) return true;
  return false;
}

std::vector<Mount> CgroupMounts() {
  std::vector<Mount> mounts;
  std::ifstream in("/proc/self/mountinfo");
  for (std::string line; std::getline(in, line);) {
    size_t dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    auto head = SplitNonEmpty(line.substr(0, dash), ' ');
    auto tail = SplitNonEmpty(line.substr(dash + 3), ' ');
    if (head.size() < 5 || tail.size() < 3 || (tail[0] != "cgroup" && tail[0] != "cgroup2")) continue;
    mounts.push_back(Mount{head[3], head[4], tail[0], SplitNonEmpty(tail[2], ',')});
  }
  return mounts;
}

// This process's cgroup per hierarchy: "" for v2, else the controller list ("cpu,cpuacct").
std::map<std::string, std::string> OwnCgroups() {
  std::map<std::string, std::string> out;
  std::ifstream in("/proc/self/cgroup");
  for (std::string line; std::getline(in, line);) {
    size_t a = line.find(':');
    size_t b = a == std::string::npos ? a : line.find(':', a + 1);
    if (b == std::string::npos) continue;
    out[line.substr(a + 1, b - a - 1)] = line.substr(b + 1);
  }
  return out;
}

// Where cgroup `path` of a hierarchy is, given the mount of that hierarchy.
std::string PathUnder(const Mount& m, std::string path) {
  if (m.root != "/" && path.rfind(m.root, 0) == 0) path = path.substr(m.root.size());
  if (path == "/") path.clear();
  return m.point + path;
}

Status WriteControl(const std::string& path, const std::string& value) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError(errno, "open " + path);
  ssize_t n = ::write(fd, value.data(), value.size());
  int e = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(value.size())) return ErrnoError(n < 0 ? e : EIO, "write '" + value + "' to " + path);
  return Status::OK();
}

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

Status MakeDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) == 0 || errno == EEXIST) return Status::OK();
  return ErrnoError(errno, "mkdir " + path);
}

// "key N" lines (memory.events, memory.oom_control).
uint64_t Counter(const std::string& path, const std::string& key) {
  auto text = ReadWholeFile(path);
  if (!text.ok()) return 0;
  std::stringstream in(*text);
  std::string k;
  uint64_t v;
  while (in >> k >> v)
    if (k == key) return v;
  return 0;
}

// Removes the dirs (children first) of executors whose process is gone.
void SweepStale(const std::string& base) {
  DIR* d = ::opendir(base.c_str());
  if (d == nullptr) return;
  const std::string prefix = "cairn-executor-";
  std::vector<std::string> stale;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name.rfind(prefix, 0) != 0) continue;
    if (!Exists("/proc/" + name.substr(prefix.size()))) stale.push_back(base + "/" + name);
  }
  ::closedir(d);
  for (const auto& dir : stale) {
    if (DIR* s = ::opendir(dir.c_str())) {
      while (dirent* e = ::readdir(s)) {
        if (e->d_type == DT_DIR && e->d_name[0] != '.') ::rmdir((dir + "/" + e->d_name).c_str());
      }
      ::closedir(s);
    }
    ::rmdir(dir.c_str());
  }
}

std::string ExecutorDirName() { return fmt::format("cairn-executor-{}", ::getpid()); }

// Enables memory and cpu for the children of dir (v2).
Status EnableControllers(const std::string& dir) {
  ASSIGN_OR_RETURN(std::string enabled, ReadWholeFile(dir + "/cgroup.subtree_control"));
  auto have = SplitNonEmpty(enabled.substr(0, enabled.find('\n')), ' ');
  for (const char* c : {"memory", "cpu"}) {
    if (Contains(have, c)) continue;
    RETURN_IF_ERROR(WriteControl(dir + "/cgroup.subtree_control", std::string("+") + c));
  }
  return Status::OK();
}

Result<std::string> PrepareV2(const std::string& base) {
  ASSIGN_OR_RETURN(std::string controllers, ReadWholeFile(base + "/cgroup.controllers"));
  auto have = SplitNonEmpty(controllers.substr(0, controllers.find('\n')), ' ');
  if (!Contains(have, "memory") || !Contains(have, "cpu"))
    return Unavailable("{} does not offer the memory and cpu controllers (it has: {})", base,
                       controllers.substr(0, controllers.find('\n')));
  RETURN_IF_ERROR(EnableControllers(base));
  SweepStale(base);
  const std::string root = base + "/" + ExecutorDirName();
  RETURN_IF_ERROR(MakeDir(root));
  Status st = EnableControllers(root);
  if (!st.ok()) {
    ::rmdir(root.c_str());
    return st;
  }
  return root;
}

}  // namespace

TaskCgroup::~TaskCgroup() { (void)Remove(); }

std::vector<std::string> TaskCgroup::procs_files() const {
  std::vector<std::string> out;
  for (const auto& d : dirs_) out.push_back(d + "/cgroup.procs");
  return out;
}

uint64_t TaskCgroup::OomKills() const {
  if (dirs_.empty()) return 0;
  return v2_ ? Counter(dirs_[0] + "/memory.events", "oom_kill") : Counter(dirs_[0] + "/memory.oom_control", "oom_kill");
}

void TaskCgroup::KillAll() const {
  for (const auto& dir : dirs_) {
    if (v2_ && WriteControl(dir + "/cgroup.kill", "1").ok()) continue;
    auto procs = ReadWholeFile(dir + "/cgroup.procs");
    if (!procs.ok()) continue;
    std::stringstream in(*procs);
    for (pid_t pid; in >> pid;) {
      if (killer_) {
        killer_(pid);
      } else {
        ::kill(pid, SIGKILL);
      }
    }
  }
}

Status TaskCgroup::Remove() {
  if (dirs_.empty()) return Status::OK();
  KillAll();
  Status st;
  for (int attempt = 0; attempt < 100 && !dirs_.empty(); ++attempt) {
    if (::rmdir(dirs_.back().c_str()) == 0 || errno == ENOENT) {
      dirs_.pop_back();
      continue;
    }
    if (errno != EBUSY) {
      st = ErrnoError(errno, "rmdir " + dirs_.back());
      break;
    }
    KillAll();  // dying processes leave within milliseconds; new ones cannot appear
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (st.ok() && !dirs_.empty()) st = Unavailable("cgroup {} still has processes after SIGKILL", dirs_.back());
  dirs_.clear();
  return st;
}

Result<std::unique_ptr<TaskCgroupHost>> TaskCgroupHost::Detect(const std::string& parent) {
  std::unique_ptr<TaskCgroupHost> host(new TaskCgroupHost());
  if (!parent.empty()) {
    auto root = PrepareV2(parent);
    if (!root.ok()) return root.status().WithContext("--executor_cgroup_parent");
    host->roots_ = {*root};
    return host;
  }
  const auto mounts = CgroupMounts();
  const auto own = OwnCgroups();
  std::string v2_reason = "no cgroup2 mount", v1_reason;
  for (const Mount& m : mounts) {
    if (m.type != "cgroup2" || !own.count("")) continue;
    auto root = PrepareV2(PathUnder(m, own.at("")));
    if (root.ok()) {
      host->roots_ = {*root};
      return host;
    }
    v2_reason = root.status().message();
  }
  // cgroup v1: the memory and cpu hierarchies (cpu is often mounted with cpuacct).
  std::string bases[2];
  const char* wanted[2] = {"memory", "cpu"};
  for (int i = 0; i < 2; ++i) {
    for (const Mount& m : mounts) {
      if (m.type != "cgroup" || !Contains(m.options, wanted[i])) continue;
      for (const auto& [controllers, path] : own)
        if (Contains(SplitNonEmpty(controllers, ','), wanted[i])) bases[i] = PathUnder(m, path);
    }
    if (bases[i].empty()) v1_reason += fmt::format("{}no {} hierarchy", v1_reason.empty() ? "" : ", ", wanted[i]);
  }
  if (v1_reason.empty()) {
    host->kind_ = Kind::kV1;
    Status st;
    for (const auto& base : bases) {
      SweepStale(base);
      const std::string root = base + "/" + ExecutorDirName();
      st = MakeDir(root);
      if (!st.ok()) break;
      host->roots_.push_back(root);
    }
    if (st.ok()) return host;
    v1_reason = st.message();
  }
  return Unavailable("cgroups cannot be used here: v2: {}; v1: {}", v2_reason, v1_reason);
}

TaskCgroupHost::~TaskCgroupHost() {
  for (const auto& root : roots_) ::rmdir(root.c_str());
}

std::string TaskCgroupHost::Describe() const {
  if (kind_ == Kind::kV2) return "cgroup v2 (" + roots_[0] + ")";
  return fmt::format("cgroup v1 (memory {}, cpu {})", roots_[0], roots_[1]);
}

Result<TaskCgroup> TaskCgroupHost::Create(const std::string& name, const CgroupLimits& limits) const {
  TaskCgroup cg;
  cg.v2_ = kind_ == Kind::kV2;
  cg.limits_ = limits;
  for (const auto& root : roots_) {
    const std::string dir = root + "/" + name;
    RETURN_IF_ERROR(MakeDir(dir));  // cg's destructor removes what was made on an error below
    cg.dirs_.push_back(dir);
  }
  const uint64_t quota = static_cast<uint64_t>(limits.cpu_slots) * kCpuPeriodMicros;
  if (cg.v2_) {
    const std::string& d = cg.dirs_[0];
    if (limits.memory_bytes > 0) {
      RETURN_IF_ERROR(WriteControl(d + "/memory.max", std::to_string(limits.memory_bytes)));
      if (Exists(d + "/memory.swap.max")) RETURN_IF_ERROR(WriteControl(d + "/memory.swap.max", "0"));
    }
    if (quota > 0) RETURN_IF_ERROR(WriteControl(d + "/cpu.max", fmt::format("{} {}", quota, kCpuPeriodMicros)));
  } else {
    const std::string& mem = cg.dirs_[0];
    const std::string& cpu = cg.dirs_[1];
    if (limits.memory_bytes > 0) {
      RETURN_IF_ERROR(WriteControl(mem + "/memory.limit_in_bytes", std::to_string(limits.memory_bytes)));
      // Without swap accounting the file is absent; with it, swap is no way past the limit.
      if (Exists(mem + "/memory.memsw.limit_in_bytes"))
        RETURN_IF_ERROR(WriteControl(mem + "/memory.memsw.limit_in_bytes", std::to_string(limits.memory_bytes)));
    }
    if (quota > 0) {
      RETURN_IF_ERROR(WriteControl(cpu + "/cpu.cfs_period_us", std::to_string(kCpuPeriodMicros)));
      RETURN_IF_ERROR(WriteControl(cpu + "/cpu.cfs_quota_us", std::to_string(quota)));
    }
  }
  return cg;
}

}  // namespace cairn::compute
