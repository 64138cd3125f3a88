// FuseMountProcess: a cairn-fuse child process serving a mount point in the foreground,
// for programs that need a live mount for a while (cairn-bench fuse, the mount tests).
//
// Start() runs the binary with `MOUNTPOINT -f ARGS...` (output appended to a log file)
// and returns once the mount point is a FUSE mount, or with an error that includes the
// log's tail when the child exits or the deadline passes. Stop() sends SIGTERM and waits
// for a clean exit; the destructor stops a running child, kills it if it will not stop,
// and detaches a mount its child left behind (never one mounted there later).
//
// Thread-safety: one owner thread.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace cairn::fuse {

// OK when this process may mount FUSE file systems (root, and /dev/fuse readable and
// writable); otherwise says what is missing.
Status CheckCanMount();
// Whether `path` is currently the root of a FUSE mount.
bool IsFuseMount(const std::string& path);

class FuseMountProcess {
 public:
  static Result<std::unique_ptr<FuseMountProcess>> Start(const std::string& binary, const std::string& mountpoint,
                                                         const std::vector<std::string>& args,
                                                         const std::string& log_file, int timeout_ms = 60000);
  ~FuseMountProcess();

  // SIGTERM, then waits for the exit; an error when it does not exit 0 in time.
  Status Stop(int timeout_ms = 30000);
  Status Signal(int sig);
  // Waits for the child to exit by itself (after `fusermount3 -u`, a signal); an error
  // when it does not exit 0 in time or leaves the mount behind.
  Status Wait(int timeout_ms);
  pid_t pid() const { return pid_; }
  const std::string& mountpoint() const { return mountpoint_; }

 private:
  FuseMountProcess(pid_t pid, std::string mountpoint, std::string log)
      : pid_(pid), mountpoint_(std::move(mountpoint)), log_(std::move(log)) {}
  // Waits up to timeout_ms for the child to exit; its exit code (128+signal), or -1.
  int WaitExit(int timeout_ms);
  std::string LogTail() const;

  pid_t pid_ = -1;
  std::string mountpoint_;
  std::string log_;
  bool left_mount_ = false;  // the child exited (or was killed) leaving its mount behind
};

}  // namespace cairn::fuse
