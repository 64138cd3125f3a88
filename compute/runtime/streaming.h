// Hadoop Streaming: mappers, reducers and combiners that are shell commands.
//
// The contract is Hadoop's: the command reads records on stdin, one per line (a map gets
// each input line as is; a reducer or combiner gets `key<TAB>value` lines sorted by key,
// all values of a key together) and writes `key<TAB>value` lines on stdout (a line without
// a tab is a key with an empty value). On stderr, `reporter:counter:GROUP,NAME,AMOUNT`
// adds to a counter and `reporter:status:MESSAGE` sets the task's status; every other line
// goes to the task's log. The command runs in the task's working directory (where --files
// were copied) with Hadoop's environment variables (mapreduce_map_input_file,
// mapreduce_task_id, ...; see TaskEnvironment). A command that exits non-zero fails the
// attempt with its exit code and the tail of its stderr.
//
// StreamingCommand is one running command: the task's thread writes input lines through a
// 1 MiB buffer; a reader thread turns output lines into Emit calls (the only thread that
// emits while the command runs); a third thread reads stderr.
//
// The process must ignore SIGPIPE (cairn-task does): a command that quits early then shows
// as a write error rather than killing the task.
//
// Thread-safety: see above; the owner calls Start, Write* and Finish from one thread.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "compute/runtime/child_process.h"
#include "compute/runtime/job_program.h"

namespace cairn::compute {

class StreamingCommand {
 public:
  // role names the command in messages ("mapper", "reducer", "combiner").
  StreamingCommand(std::string role, std::string command, const TaskEnvironment& env, mr::TaskContext* context);
  ~StreamingCommand();

  Status Start(mr::Emitter* out);
  // One input line: value, or key<TAB>value. An error means the command stopped reading.
  Status WriteValue(std::string_view value);
  Status WriteKeyValue(std::string_view key, std::string_view value);
  // Closes its input, waits for its output to be emitted and for it to exit.
  Status Finish();
  bool started() const { return child_ != nullptr; }

 private:
  Status Append(std::string_view a, char sep, std::string_view b, bool with_b);
  Status FlushInput();
  void ReadOutput();
  void ReadErrors();
  std::string StderrTail() const;

  const std::string role_;
  const std::string command_;
  const TaskEnvironment env_;
  mr::TaskContext* const context_;
  mr::Emitter* out_ = nullptr;
  std::unique_ptr<ChildProcess> child_;
  std::vector<char> in_buf_;
  size_t in_used_ = 0;
  std::thread out_thread_;
  std::thread err_thread_;
  Status read_status_;          // written by the output thread before it ends
  mutable std::mutex tail_mu_;
  std::string stderr_tail_;     // guarded by tail_mu_: the last few KiB
};

class StreamingMapper final : public mr::Mapper {
 public:
  StreamingMapper(std::string command, TaskEnvironment env) : command_(std::move(command)), env_(std::move(env)) {}
  void Setup(mr::TaskContext& context) override { context_ = &context; }
  void Map(std::string_view key, std::string_view value, mr::Emitter& out) override;
  void Cleanup(mr::Emitter& out) override;

 private:
  bool EnsureStarted(mr::Emitter& out);
  void FailWith(const Status& st);
  const std::string command_;
  const TaskEnvironment env_;
  mr::TaskContext* context_ = nullptr;
  std::unique_ptr<StreamingCommand> cmd_;
  bool failed_ = false;
};

class StreamingReducer final : public mr::Reducer {
 public:
  StreamingReducer(std::string role, std::string command, TaskEnvironment env)
      : role_(std::move(role)), command_(std::move(command)), env_(std::move(env)) {}
  void Setup(mr::TaskContext& context) override { context_ = &context; }
  void Reduce(std::string_view key, mr::ValueIterator& values, mr::Emitter& out) override;
  void Cleanup(mr::Emitter& out) override;

 private:
  bool EnsureStarted(mr::Emitter& out);
  void FailWith(const Status& st);
  const std::string role_;
  const std::string command_;
  const TaskEnvironment env_;
  mr::TaskContext* context_ = nullptr;
  std::unique_ptr<StreamingCommand> cmd_;
  bool failed_ = false;
};

}  // namespace cairn::compute
