// ClusterStepRunner: runs an algorithm's steps on a Cairn cluster. Start submits an ML job
// (kind ML) whose tasks load the input's blocks into the executors' per-job ML workers —
// placed next to the data like map tasks — and waits until every partition is loaded.
// Run sends one step through the job master (JobClient::MlStep), which fans it out to the
// workers and sums their partials; while partitions are being loaded again (a worker or
// node was lost) the step is retried. Finish ends the job; a runner dropped without
// Finish fails its job, so the workers' memory is always given back.
//
// DetectInputFormat reads the first bytes of the input to tell CSV from binary and count
// the features.
//
// Thread-safety: one driver thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "client/file_system.h"
#include "client/job_client.h"
#include "compute/ml/step_runner.h"

namespace cairn::ml {

struct ClusterJobOptions {
  std::vector<std::string> inputs;   // files, directories or globs
  MlDataFormat format;
  std::string algorithm;             // shown in job status
  std::string output_path;           // predictions dir; empty for training
  uint64_t worker_cache_bytes = 0;   // 0: the executors' default
  std::string backend;               // "", cpu, cuda
  uint32_t gpus_per_task = 0;        // asks the scheduler for GPUs for the load tasks (and so the workers)
  int load_timeout_ms = 600000;      // all partitions loaded within this
  int step_timeout_ms = 1800000;     // one step
  int step_retries = 5;              // a step that meets lost partitions is retried this often
};

class ClusterStepRunner final : public StepRunner {
 public:
  static Result<std::unique_ptr<ClusterStepRunner>> Start(client::JobClient& jobs, const ClusterJobOptions& options);
  ~ClusterStepRunner() override;

  Result<MlPartial> Run(const MlCommand& cmd) override;
  uint32_t features() const override { return options_.format.features(); }
  bool has_label() const override { return options_.format.has_label(); }

  // Ends the job and waits for its end; returns its final report (counters).
  Result<JobReport> Finish(bool succeeded, const std::string& diagnostics = "");

  const std::string& job_id() const { return job_id_; }
  double load_seconds() const { return load_seconds_; }
  // Counters summed over the steps run so far (cache hits, bytes read, ...).
  const std::map<std::string, int64_t>& step_counters() const { return step_counters_; }

 private:
  ClusterStepRunner(client::JobClient& jobs, ClusterJobOptions options) : jobs_(jobs), options_(std::move(options)) {}
  Status WaitLoaded(int timeout_ms);

  client::JobClient& jobs_;
  const ClusterJobOptions options_;
  std::string job_id_;
  bool finished_ = false;
  double load_seconds_ = 0;
  std::map<std::string, int64_t> step_counters_;
};

// The format of the input (its first file): binary by magic, else CSV.
Result<MlDataFormat> DetectInputFormat(client::FileSystem& fs, const std::string& input, bool has_label);

// Reads a model file from Cairn / writes one (replacing it when overwrite).
Result<MlModel> ReadModel(client::FileSystem& fs, const std::string& path);
Status WriteModel(client::FileSystem& fs, const std::string& path, const MlModel& model, bool overwrite);

// The share of the job's load tasks that ran on a node holding their block (0..1).
double DataLocalShare(const JobReport& job);

}  // namespace cairn::ml
