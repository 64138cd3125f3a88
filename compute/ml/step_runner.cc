#include "compute/ml/step_runner.h"

namespace cairn::ml {

LocalStepRunner::LocalStepRunner(std::vector<std::shared_ptr<const Partition>> parts, std::unique_ptr<Kernels> kernels,
                                 PredictionWriter writer)
    : parts_(std::move(parts)), kernels_(std::move(kernels)), writer_(std::move(writer)) {}

Result<MlPartial> LocalStepRunner::Run(const MlCommand& cmd) {
  MlPartial total;
  for (const auto& p : parts_) RETURN_IF_ERROR(RunOp(cmd, *p, *kernels_, writer_, &total));
  return total;
}

std::vector<std::shared_ptr<const Partition>> SplitRows(const Partition& p, int n) {
  std::vector<std::shared_ptr<const Partition>> out;
  const size_t rows = p.rows();
  for (int i = 0; i < n; ++i) {
    const size_t a = rows * i / n, b = rows * (i + 1) / n;
    auto q = std::make_shared<Partition>();
    q->id = NextPartitionId();
    q->index = i;
    q->features = p.features;
    q->has_label = p.has_label;
    q->x.assign(p.x.begin() + a * p.features, p.x.begin() + b * p.features);
    if (!p.y.empty()) q->y.assign(p.y.begin() + a, p.y.begin() + b);
    out.push_back(std::move(q));
  }
  return out;
}

}  // namespace cairn::ml
