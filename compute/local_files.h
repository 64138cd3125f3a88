// Small local-disk helpers shared by the compute components (executor, task runtime, job
// master): whole-file reads (common/whole_file.h) and atomic replacement (write to a temporary name, fsync,
// rename, fsync the directory), protobuf files, recursive removal and mkdir -p.
//
// Thread-safety: pure functions; concurrent writers of one path are the caller's problem.
#pragma once

#include <string>

#include <google/protobuf/message_lite.h>

#include "common/status.h"
#include "common/whole_file.h"  // ReadWholeFile

namespace cairn::compute {

// Replaces path with contents atomically; with sync, the data and the rename are durable.
Status WriteFileAtomically(const std::string& path, std::string_view contents, bool sync);

Status ReadProtoFile(const std::string& path, google::protobuf::MessageLite* message);
Status WriteProtoFile(const std::string& path, const google::protobuf::MessageLite& message, bool sync);

// mkdir -p.
Status MakeDirectories(const std::string& path);
// rm -rf; a missing path is fine.
Status RemoveTree(const std::string& path);

// The last max_bytes of a file (whole lines where possible); empty when unreadable.
std::string FileTail(const std::string& path, size_t max_bytes);

// A file a task's account controls, opened by the executor (root) without following
// symbolic links: `trusted_dir` is a directory only the executor could have made (an
// attempt dir; its parents are the executor's), `relative` ("output/file.out") is walked
// one component at a time with O_NOFOLLOW, so a task cannot point the executor at a block
// file or another user's files. The descriptor stays open while the object lives;
// path() names it (/proc/self/fd/N) for readers that take a path.
class TaskFile {
 public:
  static Result<TaskFile> Open(const std::string& trusted_dir, const std::string& relative);
  TaskFile(TaskFile&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  TaskFile& operator=(TaskFile&&) = delete;
  ~TaskFile();
  int fd() const { return fd_; }
  std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

 private:
  explicit TaskFile(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace cairn::compute
