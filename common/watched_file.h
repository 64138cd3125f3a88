// WatchedFile: a small control file another process may write, replace or remove at any
// moment, read again only when it changed (its inode, size, mtime or ctime). The fault
// seams read their plans through it (datanode/store/disk_faults.h, datanode/nn/faulty_namenode_client.h),
// so a test switches faults on and off while the daemon runs by renaming a new plan into
// place or removing it.
//
// WatchedPlan<Plan> is the fault seams' use of it: the Plan its file holds now, parsed
// again (Plan::Parse(text, &ignored)) only when the file changed; lines the parser did not
// know are logged once per change.
//
// Thread-safety: a WatchedFile is not thread-safe; a WatchedPlan is (one lock, a stat()
// per call).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/spdlog.h>

namespace cairn {

class WatchedFile {
 public:
  explicit WatchedFile(std::string path) : path_(std::move(path)) {}
  const std::string& path() const { return path_; }

  // True when the file changed since the last call that returned true (or appeared, or
  // went away); *text is then its whole content, "" when it is absent. A file that exists
  // but cannot be read right now counts as unchanged.
  bool Changed(std::string* text);

 private:
  const std::string path_;
  bool seen_ = false;       // a call has returned true once
  bool present_ = false;    // what that call saw
  uint64_t ino_ = 0;
  int64_t size_ = -1;
  int64_t mtime_ns_ = -1;
  int64_t ctime_ns_ = -1;
};

// The plans' shared grammar: the words of each line of `text` that has any once its '#'
// comment is gone, a delay "N" (0 <= N milliseconds) and a file offset "N".
std::vector<std::vector<std::string>> PlanLineWords(std::string_view text);
bool ParsePlanMillis(std::string_view text, int* ms);
bool ParsePlanOffset(std::string_view text, uint64_t* offset);
// Appends one line's words, joined by spaces, to *ignored ("; " between lines); null: none.
void NoteIgnoredPlanLine(const std::vector<std::string>& words, std::string* ignored);

template <typename Plan>
class WatchedPlan {
 public:
  explicit WatchedPlan(std::string path) : file_(std::move(path)) {}
  const std::string& path() const { return file_.path(); }

  // The plan the file holds now (Plan{} parsed from "" when it is absent).
  Plan Current() const {
    std::lock_guard lock(mu_);
    std::string text;
    if (file_.Changed(&text)) {
      std::string ignored;
      plan_ = Plan::Parse(text, &ignored);
      if (!ignored.empty()) spdlog::error("fault plan {}: ignoring '{}'", file_.path(), ignored);
    }
    return plan_;
  }

 private:
  mutable std::mutex mu_;
  mutable WatchedFile file_;  // guarded by mu_
  mutable Plan plan_{};       // guarded by mu_; parsed from file_
};

}  // namespace cairn
