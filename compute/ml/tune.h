// Tune: hyper-parameter search with k-fold cross-validation. Every trial (a setting of
// the parameters, from a grid or drawn at random) is trained on k-1 folds and scored on
// the fold left out, for every fold — and all trials × folds run together, in the same
// distributed steps over the cached data (linear regression: one GRAM pass gives every
// fold's sums and each trial is a small solve; logistic regression: one LOGREG_GRAD step
// advances every trial's and fold's L-BFGS or SGD at once; one EVALUATE step scores them
// all). The best trial (lowest mean CV loss: log loss or RMSE) is refitted on all rows.
//
// Thread-safety: functions; the runner is used from the calling thread only.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "compute/ml/algorithms.h"

namespace cairn::ml {

using ParamSet = std::map<std::string, double>;

struct TuneOptions {
  std::string algorithm;             // logreg | linreg
  uint32_t folds = 3;
  LogregOptions logreg;              // the base settings trials change
  LinregOptions linreg;
  std::vector<ParamSet> trials;
};

struct TrialResult {
  ParamSet params;
  std::string metric;                // log_loss | rmse
  double mean = 0;                   // over folds
  double stddev = 0;
  double accuracy = 0;               // logreg: mean over folds
};

struct TuneResult {
  std::vector<TrialResult> trials;
  int best = -1;
  TrainResult refit;                 // the best setting on all rows
  int steps = 0;
};

// Every combination of the grid's values ("l2" -> {0, 0.1}, ...).
std::vector<ParamSet> GridTrials(const std::map<std::string, std::vector<double>>& grid);
// n settings drawn log-uniformly from each [lo, hi] range (uniformly when lo <= 0).
std::vector<ParamSet> RandomTrials(const std::map<std::string, std::pair<double, double>>& ranges, int n, uint64_t seed);
// Sets one named parameter: logreg l2, learning_rate, batch_fraction, iterations; linreg l2.
Status ApplyParam(const std::string& algorithm, const std::string& name, double value, LogregOptions* logreg,
                  LinregOptions* linreg);

Result<TuneResult> Tune(StepRunner& runner, const TuneOptions& options);

// The results as an aligned text table, best marked.
std::string FormatTuneTable(const TuneResult& r);

}  // namespace cairn::ml
