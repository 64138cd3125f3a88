// cairn-task: runs one task attempt. The executor starts it in the attempt's own working
// directory as `cairn-task task.pb`, where task.pb holds the TaskSpec. While it runs it
// rewrites status.pb (progress, status, counters) every half second; at the end it writes
// result.pb (success or the error, counters, the part file written, maps whose output
// could not be fetched) and exits 0 on success, 1 on failure. Its stderr is the attempt's
// log. Limits (memory, time) and the kill are the executor's business.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

#include <spdlog/spdlog.h>

#include "common/logging.h"
#include "compute/gang/gang_worker.h"
#include "compute/local_files.h"
#include "compute/ml/worker/load_task.h"
#include "compute/runtime/task_runtime.h"

namespace {

using namespace cairn;
using namespace cairn::compute;

constexpr int kStatusIntervalMs = 500;

// Rewrites status.pb periodically until stopped.
class StatusReporter {
 public:
  StatusReporter(TaskRuntime& rt, std::string path) : rt_(rt), path_(std::move(path)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~StatusReporter() { Stop(); }
  void Stop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Run() {
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, std::chrono::milliseconds(kStatusIntervalMs), [this] { return stop_; })) {
      lock.unlock();
      Status st = WriteProtoFile(path_, rt_.Snapshot(), /*sync=*/false);
      if (!st.ok()) spdlog::warn("cannot write {}: {}", path_, st.ToString());
      lock.lock();
    }
  }

  TaskRuntime& rt_;
  const std::string path_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

int Run(const std::string& spec_path) {
  TaskSpec spec;
  Status st = ReadProtoFile(spec_path, &spec);
  if (!st.ok()) {
    std::fprintf(stderr, "cairn-task: %s\n", st.ToString().c_str());
    return 2;
  }
  char cwd[4096];
  std::string work_dir = ::getcwd(cwd, sizeof cwd) != nullptr ? cwd : ".";
  TaskRuntime rt(std::move(spec), work_dir);
  spdlog::info("{} starting ({} {})", rt.spec().attempt_id(),
               rt.spec().job().kind() == JobSpec::GANG ? "gang worker"
               : rt.spec().type() == MAP              ? "map"
                                                      : "reduce",
               rt.spec().index());
  TaskOutcome outcome;
  {
    StatusReporter reporter(rt, work_dir + "/status.pb");
    outcome.status = rt.LocalizeFiles();
    if (outcome.status.ok()) {
      if (rt.spec().job().kind() == JobSpec::ML) {
        outcome = ml::RunLoadTask(rt);
      } else if (rt.spec().job().kind() == JobSpec::GANG) {
        outcome = RunGangWorker(rt);
      } else if (auto program = MakeJobProgram(rt.spec().job(), rt.Environment()); !program.ok()) {
        outcome.status = program.status();
      } else {
        outcome = rt.spec().type() == MAP ? RunMapTask(rt, *program) : RunReduceTask(rt, *program);
      }
    }
  }
  TaskProgress result = rt.Snapshot();
  result.set_done(true);
  result.set_succeeded(outcome.status.ok());
  if (!outcome.status.ok()) {
    result.set_error(outcome.status.message().empty() ? outcome.status.ToString() : outcome.status.message());
    spdlog::error("{} failed: {}", rt.spec().attempt_id(), outcome.status.ToString());
  }
  for (int m : outcome.fetch_failed_maps) result.add_fetch_failed_maps(m);
  result.set_output_file(outcome.output_file);
  if (!outcome.ml_worker_address.empty()) result.set_ml_worker_address(outcome.ml_worker_address);
  st = WriteProtoFile(work_dir + "/result.pb", result, /*sync=*/false);
  if (!st.ok()) {
    std::fprintf(stderr, "cairn-task: cannot write result.pb: %s\n", st.ToString().c_str());
    return 1;
  }
  spdlog::info("{} {}", rt.spec().attempt_id(), outcome.status.ok() ? "succeeded" : "failed");
  return outcome.status.ok() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  // The executor starts `cairn-task --probe` as the task account at start-up to learn that
  // the account can reach the binary and the work dir.
  if (argc == 2 && std::string(argv[1]) == "--probe") return 0;
  if (argc != 2 || std::string(argv[1]) == "--help") {
    std::fprintf(stderr, "usage: cairn-task TASK_FILE\nRuns one Cairn MapReduce task attempt (started by an executor).\n");
    return 2;
  }
  ::signal(SIGPIPE, SIG_IGN);
  cairn::LogSettings log;
  const char* level = std::getenv("CAIRN_TASK_LOG_LEVEL");
  log.log_level = level != nullptr ? level : "info";
  cairn::InitLogging("task", log);
  return Run(argv[1]);
}
