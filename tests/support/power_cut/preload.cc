// libcairn_power_cut.so: the power-cut layer, loaded into a daemon with LD_PRELOAD by the
// power-loss test. It sits under every storage call the process makes through libc, so
// no code path can bypass it (a seam in Cairn's own code would miss RocksDB's files and
// any call that forgot the seam), and records in the journal (journal.h) what the
// kernel has been told to make durable:
//   - fsync/fdatasync of a file under a root: its size when the call began;
//   - fsync of a directory under a root: its entries when the call began;
//   - unlink/remove/rename over an existing file: a hard link to it in the graveyard
//     first, so the name can come back if its removal was never made durable.
// At start it records every file and directory already under its roots as durable.
// The layer does nothing else: the test "cuts the power" by stopping and killing the
// process (SIGSTOP, then SIGKILL, so no thread writes after the instant of the cut) and
// replaying its journal with ApplyPowerCut.
//
// A process whose command line names no root (tools, shells, the test itself) passes
// every call straight through. io_uring bypasses libc: daemons under this layer must use
// plain system calls (--datanode_io_engine=sync).
//
// Thread-safety: the journal is appended under one mutex; state is otherwise immutable
// after the constructor.
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/power_cut/journal.h"

namespace {

using cairn::testing::power_cut::kGraveyard;
using cairn::testing::power_cut::kJournalPrefix;
using cairn::testing::power_cut::kRootFlagsEnv;
using cairn::testing::power_cut::kStateEnv;

template <typename F>
F Real(const char* name) {
  return reinterpret_cast<F>(::dlsym(RTLD_NEXT, name));
}

struct Layer {
  bool active = false;
  std::vector<std::string> roots;       // as named on the command line, and their realpath
  std::vector<std::string> real_roots;  // the realpaths alone: what the journal names
  std::string graveyard;
  int journal_fd = -1;
  std::mutex mu;
};

Layer& TheLayer() {
  static Layer* layer = new Layer();  // never destroyed: calls may come during exit
  return *layer;
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string part; std::getline(in, part, sep);)
    if (!part.empty()) out.push_back(part);
  return out;
}

std::vector<std::string> CommandLine() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> args;
  size_t start = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i] == '\0') {
      args.push_back(all.substr(start, i - start));
      start = i + 1;
    }
  }
  return args;
}

bool UnderRoot(const std::string& path) {
  for (const auto& root : TheLayer().roots)
    if (path == root || (path.size() > root.size() && path.compare(0, root.size(), root) == 0 && path[root.size()] == '/'))
      return true;
  return false;
}

std::string FdPath(int fd) {
  char buf[4096];
  ssize_t n = ::readlink(("/proc/self/fd/" + std::to_string(fd)).c_str(), buf, sizeof buf - 1);
  if (n <= 0) return "";
  return std::string(buf, static_cast<size_t>(n));
}

// An absolute path for `name` relative to `dirfd` (AT_FDCWD or a directory descriptor).
std::string PathAt(int dirfd, const char* name) {
  if (name == nullptr) return "";
  if (name[0] == '/') return name;
  std::string base;
  if (dirfd == AT_FDCWD) {
    char cwd[4096];
    if (::getcwd(cwd, sizeof cwd) == nullptr) return "";
    base = cwd;
  } else {
    base = FdPath(dirfd);
  }
  return base.empty() ? "" : base + "/" + name;
}

void Append(const std::string& record) {
  Layer& l = TheLayer();
  std::lock_guard lock(l.mu);
  size_t done = 0;
  while (done < record.size()) {
    ssize_t n = ::write(l.journal_fd, record.data() + done, record.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) std::abort();  // a journal that lies would make the test lie
    done += static_cast<size_t>(n);
  }
}

// The L record of a directory: its regular files and subdirectories.
std::string Listing(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return "";
  std::string entries;
  int count = 0;
  while (dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    unsigned char type = e->d_type;
    if (type == DT_UNKNOWN) {
      struct stat st;
      if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
    }
    if (type != DT_DIR && type != DT_REG) continue;
    entries += "E\t" + std::string(e->d_name) + "\t" + std::to_string(e->d_ino) + "\t" + (type == DT_DIR ? "d" : "f") + "\n";
    ++count;
  }
  ::closedir(d);
  return "L\t" + dir + "\t" + std::to_string(count) + "\n" + entries;
}

// B records of every file and L records of every directory below `dir`, recursively.
void Baseline(const std::string& dir, std::string* out) {
  *out += Listing(dir);
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  std::vector<std::string> subdirs;
  while (dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    const std::string path = dir + "/" + e->d_name;
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) subdirs.push_back(path);
    if (S_ISREG(st.st_mode))
      *out += "B\t" + std::to_string(st.st_ino) + "\t" + std::to_string(st.st_size) + "\n";
  }
  ::closedir(d);
  for (const auto& s : subdirs) Baseline(s, out);
}

__attribute__((constructor)) void Init() {
  const char* state = std::getenv(kStateEnv);
  const char* flags = std::getenv(kRootFlagsEnv);
  if (state == nullptr || flags == nullptr || *state == '\0') return;
  Layer& l = TheLayer();
  const auto wanted = Split(flags, ',');
  const auto args = CommandLine();
  for (size_t i = 0; i < args.size(); ++i) {
    for (const auto& flag : wanted) {
      const std::string eq = "--" + flag + "=";
      std::string value;
      if (args[i].compare(0, eq.size(), eq) == 0) {
        value = args[i].substr(eq.size());
      } else if (args[i] == "--" + flag && i + 1 < args.size()) {
        value = args[i + 1];
      } else {
        continue;
      }
      for (const auto& root : Split(value, ',')) {
        l.roots.push_back(root);
        char* real = ::realpath(root.c_str(), nullptr);
        const std::string resolved = real != nullptr ? real : root;
        std::free(real);
        if (resolved != root) l.roots.push_back(resolved);
        l.real_roots.push_back(resolved);
      }
    }
  }
  if (l.roots.empty()) return;
  l.graveyard = std::string(state) + "/" + kGraveyard;
  ::mkdir(state, 0755);
  ::mkdir(l.graveyard.c_str(), 0755);
  const std::string journal = std::string(state) + "/" + kJournalPrefix + std::to_string(::getpid());
  l.journal_fd = ::open(journal.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (l.journal_fd < 0) std::abort();
  std::string start;
  for (const auto& root : l.real_roots) {
    start += "R\t" + root + "\n";
    Baseline(root, &start);
  }
  Append(start);
  l.active = true;
}

// Before the file at `path` loses its name: a graveyard link to its inode.
void Preserve(const std::string& path) {
  if (path.empty() || !UnderRoot(path)) return;
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return;
  const std::string keep = TheLayer().graveyard + "/" + std::to_string(st.st_ino);
  (void)::link(path.c_str(), keep.c_str());  // EEXIST: kept already
}

// What a sync of `fd` is about to make durable, or "" when it is not ours.
std::string SyncRecord(int fd) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return "";
  if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) return "";
  const std::string path = FdPath(fd);
  if (path.empty() || !UnderRoot(path)) return "";
  if (S_ISDIR(st.st_mode)) return Listing(path);
  return "S\t" + std::to_string(st.st_ino) + "\t" + std::to_string(st.st_size) + "\n";
}

int Synced(int rc, const std::string& record) {
  if (rc == 0 && !record.empty()) {
    int saved = errno;
    Append(record);
    errno = saved;
  }
  return rc;
}

}  // namespace

extern "C" {

int fsync(int fd) {
  static auto real = Real<int (*)(int)>("fsync");
  if (!TheLayer().active) return real(fd);
  const std::string record = SyncRecord(fd);
  return Synced(real(fd), record);
}

int fdatasync(int fd) {
  static auto real = Real<int (*)(int)>("fdatasync");
  if (!TheLayer().active) return real(fd);
  const std::string record = SyncRecord(fd);
  return Synced(real(fd), record);
}

int unlink(const char* path) {
  static auto real = Real<int (*)(const char*)>("unlink");
  if (TheLayer().active) Preserve(PathAt(AT_FDCWD, path));
  return real(path);
}

int unlinkat(int dirfd, const char* path, int flags) {
  static auto real = Real<int (*)(int, const char*, int)>("unlinkat");
  if (TheLayer().active && (flags & AT_REMOVEDIR) == 0) Preserve(PathAt(dirfd, path));
  return real(dirfd, path, flags);
}

int remove(const char* path) {
  static auto real = Real<int (*)(const char*)>("remove");
  if (TheLayer().active) Preserve(PathAt(AT_FDCWD, path));
  return real(path);
}

int rename(const char* from, const char* to) {
  static auto real = Real<int (*)(const char*, const char*)>("rename");
  if (TheLayer().active) Preserve(PathAt(AT_FDCWD, to));
  return real(from, to);
}

int renameat(int from_dir, const char* from, int to_dir, const char* to) {
  static auto real = Real<int (*)(int, const char*, int, const char*)>("renameat");
  if (TheLayer().active) Preserve(PathAt(to_dir, to));
  return real(from_dir, from, to_dir, to);
}

int renameat2(int from_dir, const char* from, int to_dir, const char* to, unsigned int flags) {
  static auto real = Real<int (*)(int, const char*, int, const char*, unsigned int)>("renameat2");
  if (TheLayer().active) Preserve(PathAt(to_dir, to));
  return real(from_dir, from, to_dir, to, flags);
}

}  // extern "C"
