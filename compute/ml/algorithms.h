// The built-in algorithms' drivers. Each runs its iterations as steps over a StepRunner
// (a whole cluster, or partitions in this process) and keeps only models and small sums
// itself:
//  - linear regression: one GRAM step (XᵀX, Xᵀy with a bias column), then a Cholesky
//    solve of (XᵀX + λD)w = Xᵀy (D: identity without the bias);
//  - logistic regression: L-BFGS on the full gradient (one LOGREG_GRAD step per function
//    evaluation) or mini-batch SGD (one step per batch, rows sampled by hash);
//  - k-means: Lloyd iterations (KMEANS_STEP), seeded by k-means++ (one d²-sampling pass
//    per centre) or k-means|| (a few oversampling passes, then weighted k-means++ on the
//    candidates here).
// TrainLogregMany trains several logistic models at once, each with its own options and
// held-out fold, in shared steps (tune.h runs every trial and fold that way).
//
// Thread-safety: functions; the runner is used from the calling thread only.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "cairn/ml.pb.h"
#include "common/status.h"
#include "compute/ml/step_runner.h"

namespace cairn::ml {

struct LinregOptions {
  double l2 = 0;                    // ridge penalty per row (λ = l2 · n)
};

struct LogregOptions {
  std::string solver = "lbfgs";     // lbfgs | sgd
  int iterations = 100;             // L-BFGS iterations or SGD steps
  double l2 = 1e-4;                 // penalty on the weights (not the bias), on the mean loss
  double learning_rate = 1.0;       // sgd
  double batch_fraction = 0.1;      // sgd: share of rows in each mini-batch
  double tolerance = 1e-6;          // lbfgs: relative improvement that counts as converged
  uint64_t seed = 1;
};

struct KmeansOptions {
  uint32_t k = 2;
  std::string init = "kmeans||";    // kmeans|| | kmeans++
  int iterations = 50;
  double tolerance = 1e-4;          // stop when no centre moves more than this (relative)
  int init_rounds = 5;              // kmeans||
  double oversample = 0;            // kmeans||: l (0: 2k)
  uint64_t seed = 1;
};

struct IterationStat {
  int iteration = 0;
  double objective = 0;             // loss, inertia, ...
  double seconds = 0;
  uint64_t rows = 0;                // rows the step went over
};

struct TrainResult {
  MlModel model;
  std::vector<IterationStat> history;
  int steps = 0;                    // distributed steps run
};

Result<TrainResult> TrainLinreg(StepRunner& runner, const LinregOptions& options);
Result<TrainResult> TrainLogreg(StepRunner& runner, const LogregOptions& options);
Result<TrainResult> TrainKmeans(StepRunner& runner, const KmeansOptions& options);

// Several logistic models in shared steps; folds[m] is the fold model m leaves out (-1:
// none) of `folds` folds.
Result<std::vector<TrainResult>> TrainLogregMany(StepRunner& runner, const std::vector<LogregOptions>& options,
                                                 const std::vector<int32_t>& held_out, uint32_t folds);

// Metrics of models on the rows of their fold (held_out[m]; empty or -1: all rows):
// logreg: accuracy, log_loss; linreg: rmse, r2; kmeans: inertia, mean_sq_distance. Plus rows.
Result<std::vector<std::map<std::string, double>>> EvaluateMany(StepRunner& runner, const std::vector<MlModel>& models,
                                                                const std::vector<int32_t>& held_out, uint32_t folds);
Result<std::map<std::string, double>> Evaluate(StepRunner& runner, const MlModel& model);

// Solves A x = b for symmetric positive definite A (n x n, row-major) by Cholesky; a tiny
// ridge is added when A is only semi-definite.
Result<std::vector<double>> SolveSpd(std::vector<double> a, std::vector<double> b, int n);

// Linear regression from a GRAM fold sum: weights (F then bias).
Result<std::vector<double>> SolveLinreg(const double* gram, uint32_t features, double l2);

std::string DescribeParams(const LogregOptions& o);
std::string DescribeParams(const KmeansOptions& o);

}  // namespace cairn::ml
