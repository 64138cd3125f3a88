#include "compute/ml/tune.h"

#include <cmath>
#include <random>

#include <fmt/format.h>

namespace cairn::ml {

namespace {

void MeanStd(const std::vector<double>& v, double* mean, double* sd) {
  double s = 0, ss = 0;
  for (double x : v) s += x;
  *mean = v.empty() ? 0 : s / v.size();
  for (double x : v) ss += (x - *mean) * (x - *mean);
  *sd = v.size() > 1 ? std::sqrt(ss / (v.size() - 1)) : 0;
}

std::string FormatParams(const ParamSet& p) {
  std::string s;
  for (const auto& [k, v] : p) s += fmt::format("{}{}={:g}", s.empty() ? "" : " ", k, v);
  return s.empty() ? "(defaults)" : s;
}

// SSE of w on a GRAM fold block: yᵀy − 2wᵀXᵀy + wᵀXᵀXw.
double SseFrom(const double* g, const std::vector<double>& w) {
  const size_t d = w.size();
  double sse = g[d * d + d];
  for (size_t i = 0; i < d; ++i) {
    sse -= 2 * w[i] * g[d * d + i];
    for (size_t j = 0; j < d; ++j) sse += w[i] * g[i * d + j] * w[j];
  }
  return std::max(0.0, sse);
}

Result<TuneResult> TuneLinreg(StepRunner& runner, const TuneOptions& o) {
  const uint32_t f = runner.features();
  const uint32_t k = o.folds;
  MlCommand cmd;
  cmd.set_op(MlCommand::GRAM);
  cmd.set_folds(k);
  ASSIGN_OR_RETURN(MlPartial p, runner.Run(cmd));
  const size_t per = GramValues(f);
  if (static_cast<size_t>(p.values_size()) != per * k) return Internal("GRAM returned {} values", p.values_size());
  std::vector<double> total(per, 0.0);
  for (uint32_t fold = 0; fold < k; ++fold) {
    for (size_t j = 0; j < per; ++j) total[j] += p.values(static_cast<int>(fold * per + j));
  }
  TuneResult r;
  r.steps = 1;
  for (const ParamSet& ps : o.trials) {
    LogregOptions unused;
    LinregOptions lin = o.linreg;
    for (const auto& [name, v] : ps) RETURN_IF_ERROR(ApplyParam("linreg", name, v, &unused, &lin));
    std::vector<double> rmse;
    for (uint32_t fold = 0; fold < k; ++fold) {
      const double* held = p.values().data() + fold * per;
      std::vector<double> train(per);
      for (size_t j = 0; j < per; ++j) train[j] = total[j] - held[j];
      ASSIGN_OR_RETURN(std::vector<double> w, SolveLinreg(train.data(), f, lin.l2));
      const double n = held[per - 1];
      rmse.push_back(n > 0 ? std::sqrt(SseFrom(held, w) / n) : 0);
    }
    TrialResult t;
    t.params = ps;
    t.metric = "rmse";
    MeanStd(rmse, &t.mean, &t.stddev);
    r.trials.push_back(std::move(t));
  }
  return r;
}

Result<TuneResult> TuneLogreg(StepRunner& runner, const TuneOptions& o) {
  const uint32_t k = o.folds;
  std::vector<LogregOptions> opts;
  std::vector<int32_t> held;
  for (const ParamSet& ps : o.trials) {
    LogregOptions lo = o.logreg;
    LinregOptions unused;
    for (const auto& [name, v] : ps) RETURN_IF_ERROR(ApplyParam("logreg", name, v, &lo, &unused));
    for (uint32_t fold = 0; fold < k; ++fold) {
      opts.push_back(lo);
      held.push_back(static_cast<int32_t>(fold));
    }
  }
  ASSIGN_OR_RETURN(std::vector<TrainResult> trained, TrainLogregMany(runner, opts, held, k));
  std::vector<MlModel> models;
  for (const auto& t : trained) models.push_back(t.model);
  ASSIGN_OR_RETURN(auto metrics, EvaluateMany(runner, models, held, k));
  TuneResult r;
  r.steps = (trained.empty() ? 0 : trained[0].steps) + 1;
  for (size_t t = 0; t < o.trials.size(); ++t) {
    std::vector<double> loss, acc;
    for (uint32_t fold = 0; fold < k; ++fold) {
      const auto& m = metrics[t * k + fold];
      loss.push_back(m.count("log_loss") ? m.at("log_loss") : INFINITY);
      acc.push_back(m.count("accuracy") ? m.at("accuracy") : 0);
    }
    TrialResult tr;
    tr.params = o.trials[t];
    tr.metric = "log_loss";
    MeanStd(loss, &tr.mean, &tr.stddev);
    double sd;
    MeanStd(acc, &tr.accuracy, &sd);
    r.trials.push_back(std::move(tr));
  }
  return r;
}

}  // namespace

std::vector<ParamSet> GridTrials(const std::map<std::string, std::vector<double>>& grid) {
  std::vector<ParamSet> out{ParamSet{}};
  for (const auto& [name, values] : grid) {
    std::vector<ParamSet> next;
    for (const ParamSet& base : out) {
      for (double v : values) {
        ParamSet p = base;
        p[name] = v;
        next.push_back(std::move(p));
      }
    }
    out = std::move(next);
  }
  return out;
}

std::vector<ParamSet> RandomTrials(const std::map<std::string, std::pair<double, double>>& ranges, int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<ParamSet> out;
  for (int i = 0; i < n; ++i) {
    ParamSet p;
    for (const auto& [name, r] : ranges) {
      const double x = u(rng);
      p[name] = r.first > 0 && r.second > 0 ? std::exp(std::log(r.first) + x * (std::log(r.second) - std::log(r.first)))
                                            : r.first + x * (r.second - r.first);
    }
    out.push_back(std::move(p));
  }
  return out;
}

Status ApplyParam(const std::string& algorithm, const std::string& name, double v, LogregOptions* lo,
                  LinregOptions* li) {
  if (name == "l2") {
    if (v < 0) return InvalidArgument("l2 must not be negative");
    lo->l2 = v;
    li->l2 = v;
    return Status::OK();
  }
  if (algorithm == "logreg") {
    if (name == "learning_rate" && v > 0) return (lo->learning_rate = v, Status::OK());
    if (name == "batch_fraction" && v > 0 && v <= 1) return (lo->batch_fraction = v, Status::OK());
    if (name == "iterations" && v >= 1) return (lo->iterations = static_cast<int>(v), Status::OK());
  }
  return InvalidArgument("{} cannot tune '{}' = {:g} (logreg: l2, learning_rate, batch_fraction, iterations; linreg: l2)",
                         algorithm, name, v);
}

Result<TuneResult> Tune(StepRunner& runner, const TuneOptions& o) {
  if (o.folds < 2) return InvalidArgument("cross-validation needs at least 2 folds");
  if (o.trials.empty()) return InvalidArgument("no trials to run (give --grid or --random)");
  if (!runner.has_label()) return InvalidArgument("tune needs labelled data");
  TuneResult r;
  if (o.algorithm == "linreg") {
    ASSIGN_OR_RETURN(r, TuneLinreg(runner, o));
  } else if (o.algorithm == "logreg") {
    ASSIGN_OR_RETURN(r, TuneLogreg(runner, o));
  } else {
    return InvalidArgument("tune supports logreg and linreg, not '{}'", o.algorithm);
  }
  for (size_t i = 0; i < r.trials.size(); ++i) {
    if (std::isfinite(r.trials[i].mean) && (r.best < 0 || r.trials[i].mean < r.trials[r.best].mean)) r.best = static_cast<int>(i);
  }
  if (r.best < 0) return InvalidArgument("no trial produced a finite score");
  LogregOptions lo = o.logreg;
  LinregOptions li = o.linreg;
  for (const auto& [name, v] : r.trials[r.best].params) RETURN_IF_ERROR(ApplyParam(o.algorithm, name, v, &lo, &li));
  if (o.algorithm == "linreg") {
    ASSIGN_OR_RETURN(r.refit, TrainLinreg(runner, li));
  } else {
    ASSIGN_OR_RETURN(r.refit, TrainLogreg(runner, lo));
  }
  (*r.refit.model.mutable_metrics())["cv_" + r.trials[r.best].metric] = r.trials[r.best].mean;
  r.steps += r.refit.steps;
  return r;
}

std::string FormatTuneTable(const TuneResult& r) {
  std::string out;
  if (r.trials.empty()) return out;
  const bool acc = r.trials[0].metric == "log_loss";
  size_t width = 6;
  for (const auto& t : r.trials) width = std::max(width, FormatParams(t.params).size());
  out += fmt::format("{:<4} {:<{}} {:>12} {:>10}{}\n", "#", "params", width, "cv " + r.trials[0].metric, "stddev",
                     acc ? fmt::format(" {:>10}", "accuracy") : "");
  for (size_t i = 0; i < r.trials.size(); ++i) {
    const auto& t = r.trials[i];
    out += fmt::format("{:<4} {:<{}} {:>12.6f} {:>10.6f}{}{}\n", i + 1, FormatParams(t.params), width, t.mean, t.stddev,
                       acc ? fmt::format(" {:>10.4f}", t.accuracy) : "", static_cast<int>(i) == r.best ? "  <- best" : "");
  }
  return out;
}

}  // namespace cairn::ml
