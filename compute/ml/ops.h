// RunOp: one MlCommand over one partition, added into an MlPartial. The worker runs it
// for each partition it holds and sends one partial per step (summed over its
// partitions); the job master sums the workers' partials; the driver reads the sums with
// the layout helpers below. LocalStepRunner (step_runner.h) runs the same code in-process.
//
// Value layouts (d = F + 1, k = a model's centres):
//   GRAM:         per fold f < max(folds, 1): XᵀX (d*d), Xᵀy (d), yᵀy, n — of the rows IN fold f
//   LOGREG_GRAD:  per model: loss, gradient (d), n — of its training rows
//   KMEANS_STEP:  per model: sums (k*F), counts (k), inertia
//   KMEANS_COST_SAMPLE: cost; samples as described in ml.proto
//   EVALUATE:     per model 4 values; logreg: n, correct, log loss; linreg: n, SSE, Σy, Σy²;
//                 kmeans: n, inertia
//   PREDICT, SAMPLE: rows
// Rows are put in folds by a hash of (partition, row), the same in every step of a job.
//
// Thread-safety: pure functions; the Kernels object is the caller's.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "cairn/ml.pb.h"
#include "common/status.h"
#include "compute/ml/kernels.h"

namespace cairn::ml {

inline constexpr int kEvalValues = 4;

// Writes one partition's predictions (text, one line per row) under output_dir.
using PredictionWriter = std::function<Status(const std::string& output_dir, int32_t partition, std::string_view text)>;

// Adds cmd over p into *out (values sized on first use).
Status RunOp(const MlCommand& cmd, const Partition& p, Kernels& kernels, const PredictionWriter& writer, MlPartial* out);

// Adds b into a: values element-wise, samples appended, counters and rows summed.
Status MergePartial(const MlPartial& b, MlPartial* a);

// The fold of a row (folds >= 2).
uint32_t FoldOf(int32_t partition, uint64_t row, uint32_t folds);
// Whether a row is in a sample of the given fraction.
bool Sampled(uint64_t seed, int32_t partition, uint64_t row, double fraction);

size_t GramValues(uint32_t features);
size_t LogregValues(uint32_t features);
size_t KmeansValues(uint32_t features, uint32_t k);

// The line written for one row by PREDICT.
std::string PredictionLine(const MlModel& model, float margin_or_value, int32_t cluster);

}  // namespace cairn::ml
