// OutputWriter: the Emitter that writes a task's final output (reduce output, or map
// output of a map-only job) to one part file on Cairn, through a 4 MiB buffer, as text
// (`key<TAB>value` lines, `key` alone for an empty value) or raw (key and value bytes back
// to back). The file lives in the attempt's temporary output dir; the job master commits
// it by rename when the attempt wins.
//
// Thread-safety: one emitting thread at a time (streaming's reader thread, or the task's).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "client/file_system.h"
#include "compute/runtime/job_program.h"
#include "compute/runtime/task_counters.h"

namespace cairn::compute {

class OutputWriter final : public mr::Emitter {
 public:
  static Result<std::unique_ptr<OutputWriter>> Create(client::FileSystem& fs, const std::string& path,
                                                      uint32_t replication, OutputFormat format,
                                                      TaskCounters* counters);
  ~OutputWriter() override;

  void Emit(std::string_view key, std::string_view value) override;
  // Flushes and closes the file; returns the first error of any Emit.
  Status Close();
  const Status& status() const { return status_; }
  const std::string& path() const { return path_; }

 private:
  OutputWriter(std::unique_ptr<client::OutputStream> out, std::string path, OutputFormat format, TaskCounters* counters);
  void Put(std::string_view bytes);
  void Flush();

  std::unique_ptr<client::OutputStream> out_;
  const std::string path_;
  const OutputFormat format_;
  TaskCounters* const counters_;
  std::vector<char> buf_;
  size_t used_ = 0;
  bool closed_ = false;
  Status status_;
};

}  // namespace cairn::compute
