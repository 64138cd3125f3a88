// StepRunner: how an algorithm's driver (algorithms.h) runs one step over all of its data
// and gets the summed partial back. ClusterStepRunner (cluster_runner.h) sends it through
// the job master to the executors' ML workers; LocalStepRunner runs it in this process
// over partitions in memory — the single-process reference of the benchmark and the
// algorithms' unit tests. Both run the same RunOp (ops.h).
//
// Thread-safety: one driver thread per runner.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cairn/ml.pb.h"
#include "common/status.h"
#include "compute/ml/kernels.h"
#include "compute/ml/ops.h"

namespace cairn::ml {

class StepRunner {
 public:
  virtual ~StepRunner() = default;
  virtual Result<MlPartial> Run(const MlCommand& cmd) = 0;
  virtual uint32_t features() const = 0;
  virtual bool has_label() const = 0;
};

class LocalStepRunner final : public StepRunner {
 public:
  // Partitions must share one feature count; their index fields number them (folds and
  // sampling hash on them, so numbering like a job's splits gives the same rows).
  LocalStepRunner(std::vector<std::shared_ptr<const Partition>> parts, std::unique_ptr<Kernels> kernels,
                  PredictionWriter writer = {});
  Result<MlPartial> Run(const MlCommand& cmd) override;
  uint32_t features() const override { return parts_.empty() ? 0 : parts_[0]->features; }
  bool has_label() const override { return !parts_.empty() && parts_[0]->has_label; }
  Kernels& kernels() { return *kernels_; }

 private:
  std::vector<std::shared_ptr<const Partition>> parts_;
  std::unique_ptr<Kernels> kernels_;
  PredictionWriter writer_;
};

// Splits one partition into n of (nearly) equal rows, numbered 0..n-1.
std::vector<std::shared_ptr<const Partition>> SplitRows(const Partition& p, int n);

}  // namespace cairn::ml
