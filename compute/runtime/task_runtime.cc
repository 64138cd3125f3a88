#include "compute/runtime/task_runtime.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "common/delegation_token.h"
#include "common/path.h"
#include "compute/runtime/child_process.h"

namespace cairn::compute {

TaskRuntime::TaskRuntime(TaskSpec spec, std::string work_dir)
    : spec_(std::move(spec)), work_dir_(std::move(work_dir)), context_(spec_) {}

TaskRuntime::~TaskRuntime() = default;

Result<client::FileSystem*> TaskRuntime::fs() {
  std::lock_guard lock(fs_mu_);
  if (!fs_) {
    client::ClientOptions options;
    options.namenode = spec_.namenode();
    options.user = spec_.user();
    options.client_name = "cairn-task-" + spec_.attempt_id();
    options.tls_ca_file = spec_.tls_ca_file();
    if (!spec_.delegation_token().empty()) {
      // Kerberos: the job's token is the task's only credential (it holds no ticket).
      ASSIGN_OR_RETURN(options.delegation_token, ParseSerializedToken(spec_.delegation_token()));
    }
    ASSIGN_OR_RETURN(fs_, client::FileSystem::Connect(options));
  }
  return fs_.get();
}

TaskProgress TaskRuntime::Snapshot() const {
  TaskProgress p;
  p.set_progress(progress_.load(std::memory_order_relaxed));
  std::string status = context_.status();
  p.set_status(status.empty() ? phase_.load(std::memory_order_relaxed) : status);
  CounterSet set;
  counters_.AddTo(&set);
  context_.AddUserCounters(&set);
  set.ToProto(p.mutable_counters());
  return p;
}

Status TaskRuntime::LocalizeFiles() {
  std::vector<std::string> paths(spec_.job().files().begin(), spec_.job().files().end());
  if (!spec_.job().plugin_path().empty()) paths.push_back(spec_.job().plugin_path());
  if (paths.empty()) return Status::OK();
  ASSIGN_OR_RETURN(client::FileSystem * fs, this->fs());
  std::vector<char> buf(4 << 20);
  for (const std::string& path : paths) {
    std::string local = work_dir_ + "/" + std::string(BaseName(path));
    ASSIGN_OR_RETURN(std::unique_ptr<client::InputStream> in, fs->Open(path));
    int fd = ::open(local.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
    if (fd < 0) return ErrnoError(errno, "create " + local);
    Status st;
    for (;;) {
      auto n = in->Read(buf.data(), buf.size());
      if (!n.ok()) {
        st = n.status();
        break;
      }
      if (*n == 0) break;
      st = WriteAllToFd(fd, buf.data(), *n);
      if (!st.ok()) break;
    }
    ::close(fd);
    (void)in->Close();
    RETURN_IF_ERROR_CTX(st, "copying " + path + " into the task's directory");
  }
  return Status::OK();
}

TaskEnvironment TaskRuntime::Environment() const {
  TaskEnvironment env;
  env.working_dir = work_dir_;
  const bool is_map = spec_.type() == MAP;
  auto both = [&](const char* name, const char* old_name, const std::string& value) {
    env.variables.push_back(fmt::format("{}={}", name, value));
    if (old_name != nullptr) env.variables.push_back(fmt::format("{}={}", old_name, value));
  };
  both("mapreduce_job_id", "mapred_job_id", spec_.job_id());
  both("mapreduce_task_id", "mapred_tip_id", spec_.task_id());
  both("mapreduce_task_attempt_id", "mapred_task_id", spec_.attempt_id());
  both("mapreduce_task_partition", "mapred_task_partition", std::to_string(spec_.index()));
  both("mapreduce_task_ismap", "mapred_task_is_map", is_map ? "true" : "false");
  both("mapreduce_job_reduces", "mapred_reduce_tasks", std::to_string(spec_.num_reducers()));
  both("mapreduce_job_name", nullptr, spec_.job().name());
  both("mapreduce_job_user_name", "user_name", spec_.user());
  if (is_map) {
    both("mapreduce_map_input_file", "map_input_file", spec_.split().path());
    both("mapreduce_map_input_start", "map_input_start", std::to_string(spec_.split().start()));
    both("mapreduce_map_input_length", "map_input_length", std::to_string(spec_.split().length()));
  }
  // Job params: Hadoop exports job settings with '.' turned into '_'.
  for (const std::string& entry : spec_.job().param_entries()) {
    std::string e = entry;
    size_t eq = e.find('=');
    for (size_t i = 0; i < std::min(eq, e.size()); ++i) {
      if (e[i] == '.') e[i] = '_';
    }
    env.variables.push_back(eq == std::string::npos ? e + "=" : e);
  }
  return env;
}

}  // namespace cairn::compute
