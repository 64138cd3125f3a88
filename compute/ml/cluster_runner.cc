#include "compute/ml/cluster_runner.h"

#include <chrono>
#include <thread>

#include "common/clock.h"
#include "common/path.h"
#include "compute/counters.h"
#include "compute/ml/dataset.h"

namespace cairn::ml {

namespace {
constexpr int kPollMs = 50;
constexpr size_t kHeadBytes = 64 << 10;

Result<std::string> FirstFile(client::FileSystem& fs, const std::string& input) {
  ASSIGN_OR_RETURN(client::FileStatus st, fs.Stat(input));
  if (!st.is_dir) return st.path;
  ASSIGN_OR_RETURN(std::vector<client::FileStatus> entries, fs.List(input));
  for (const auto& e : entries) {
    if (!e.is_dir && !e.name.empty() && e.name[0] != '_' && e.name[0] != '.' && e.length > 0) return e.path;
  }
  return InvalidArgument("{} holds no data files", input);
}
}  // namespace

Result<std::unique_ptr<ClusterStepRunner>> ClusterStepRunner::Start(client::JobClient& jobs,
                                                                    const ClusterJobOptions& options) {
  JobSpec spec;
  spec.set_kind(JobSpec::ML);
  for (const auto& in : options.inputs) spec.add_input_paths(in);
  spec.set_output_path(options.output_path);
  MlJobSpec* ml = spec.mutable_ml();
  *ml->mutable_format() = options.format;
  ml->set_algorithm(options.algorithm);
  ml->set_worker_cache_bytes(options.worker_cache_bytes);
  ml->set_backend(options.backend);
  if (options.gpus_per_task > 0) spec.mutable_task_resources()->set_gpus(options.gpus_per_task);
  std::unique_ptr<ClusterStepRunner> r(new ClusterStepRunner(jobs, options));
  auto t0 = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(r->job_id_, jobs.Submit(spec));
  Status st = r->WaitLoaded(options.load_timeout_ms);
  if (!st.ok()) return st;  // the destructor fails the job
  r->load_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

ClusterStepRunner::~ClusterStepRunner() {
  if (!finished_ && !job_id_.empty()) (void)jobs_.MlFinish(job_id_, false, "the ML driver stopped");
}

Status ClusterStepRunner::WaitLoaded(int timeout_ms) {
  const int64_t deadline = MonotonicMillis() + timeout_ms;
  while (true) {
    ASSIGN_OR_RETURN(JobReport r, jobs_.Status(job_id_));
    if (r.state() != JOB_RUNNING)
      return Aborted("ML job {} {}: {}", job_id_, r.state() == JOB_KILLED ? "was killed" : "failed", r.diagnostics());
    if (r.maps_done() == r.maps_total()) return Status::OK();
    if (MonotonicMillis() > deadline)
      return TimedOut("ML job {}: {} of {} partitions loaded after {} ms", job_id_, r.maps_done(), r.maps_total(), timeout_ms);
    std::this_thread::sleep_for(std::chrono::milliseconds(kPollMs));
  }
}

Result<MlPartial> ClusterStepRunner::Run(const MlCommand& cmd) {
  for (int attempt = 0;; ++attempt) {
    auto r = jobs_.MlStep(job_id_, cmd, options_.step_timeout_ms);
    if (r.ok()) {
      for (const auto& [name, v] : r->counters()) step_counters_[name] += v;
      return r;
    }
    if (r.status().code() != ErrorCode::kUnavailable || attempt >= options_.step_retries) return r.status();
    RETURN_IF_ERROR(WaitLoaded(options_.load_timeout_ms));
  }
}

Result<JobReport> ClusterStepRunner::Finish(bool succeeded, const std::string& diagnostics) {
  finished_ = true;
  RETURN_IF_ERROR(jobs_.MlFinish(job_id_, succeeded, diagnostics));
  return jobs_.Wait(job_id_, {}, kPollMs);
}

Result<MlDataFormat> DetectInputFormat(client::FileSystem& fs, const std::string& input, bool has_label) {
  ASSIGN_OR_RETURN(std::string path, FirstFile(fs, input));
  ASSIGN_OR_RETURN(std::unique_ptr<client::InputStream> in, fs.Open(path));
  std::string head(kHeadBytes, '\0');
  size_t got = 0;
  while (got < head.size()) {
    ASSIGN_OR_RETURN(size_t n, in->Read(head.data() + got, head.size() - got));
    if (n == 0) break;
    got += n;
  }
  (void)in->Close();
  head.resize(got);
  auto f = DetectFormat(head, has_label);
  if (!f.ok()) return f.status().WithContext(path);
  return f;
}

Result<MlModel> ReadModel(client::FileSystem& fs, const std::string& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<client::InputStream> in, fs.Open(path));
  std::string data;
  char buf[1 << 16];
  while (true) {
    ASSIGN_OR_RETURN(size_t n, in->Read(buf, sizeof buf));
    if (n == 0) break;
    data.append(buf, n);
  }
  (void)in->Close();
  MlModel m;
  if (!m.ParseFromString(data) || m.algorithm().empty()) return InvalidArgument("{} is not a Cairn ML model", path);
  return m;
}

Status WriteModel(client::FileSystem& fs, const std::string& path, const MlModel& model, bool overwrite) {
  client::CreateOptions options;
  options.overwrite = overwrite;
  options.create_parent = true;
  const std::string data = model.SerializeAsString();
  ASSIGN_OR_RETURN(std::unique_ptr<client::OutputStream> out, fs.Create(path, options));
  RETURN_IF_ERROR(out->Write(data.data(), data.size()));
  return out->Close();
}

double DataLocalShare(const JobReport& job) {
  const int64_t local = compute::FindCounter(job.counters(), compute::counter::kDataLocalMaps);
  const int64_t launched = compute::FindCounter(job.counters(), compute::counter::kLaunchedMaps);
  return launched > 0 ? static_cast<double>(local) / launched : 0;
}

}  // namespace cairn::ml
