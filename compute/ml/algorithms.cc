#include "compute/ml/algorithms.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <random>

#include <fmt/format.h>

#include "compute/ml/lbfgs.h"

namespace cairn::ml {

namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

MlModel LinearModel(const char* algorithm, uint32_t f, const std::vector<double>& w) {
  MlModel m;
  m.set_algorithm(algorithm);
  m.set_features(f);
  for (double v : w) m.add_weights(static_cast<float>(v));
  return m;
}

MlModel CentresModel(uint32_t f, const std::vector<float>& centres) {
  MlModel m;
  m.set_algorithm("kmeans");
  m.set_features(f);
  m.set_k(static_cast<uint32_t>(centres.size() / std::max<uint32_t>(f, 1)));
  m.mutable_weights()->Add(centres.begin(), centres.end());
  return m;
}

// Picks an index with probability proportional to weights.
int PickWeighted(const std::vector<double>& w, std::mt19937_64& rng) {
  double total = 0;
  for (double v : w) total += std::max(0.0, v);
  if (total <= 0) return -1;
  double u = std::uniform_real_distribution<double>(0, total)(rng);
  for (size_t i = 0; i < w.size(); ++i) {
    u -= std::max(0.0, w[i]);
    if (u < 0) return static_cast<int>(i);
  }
  return static_cast<int>(w.size()) - 1;
}

// Weighted k-means++ then Lloyd over a small in-memory set (k-means|| candidates).
std::vector<float> LocalKmeans(const std::vector<float>& pts, const std::vector<double>& wts, uint32_t f, uint32_t k,
                               std::mt19937_64& rng) {
  const size_t n = wts.size();
  std::vector<float> c;
  int first = PickWeighted(wts, rng);
  if (first < 0) first = 0;
  c.insert(c.end(), pts.begin() + first * f, pts.begin() + (first + 1) * f);
  std::vector<double> d2(n, std::numeric_limits<double>::infinity());
  auto dist = [&](size_t i, const float* ctr) {
    double s = 0;
    for (uint32_t j = 0; j < f; ++j) {
      const double t = pts[i * f + j] - ctr[j];
      s += t * t;
    }
    return s;
  };
  while (c.size() / f < k) {
    const float* last = c.data() + c.size() - f;
    std::vector<double> w(n);
    for (size_t i = 0; i < n; ++i) {
      d2[i] = std::min(d2[i], dist(i, last));
      w[i] = wts[i] * d2[i];
    }
    int pick = PickWeighted(w, rng);
    if (pick < 0) pick = static_cast<int>(std::uniform_int_distribution<size_t>(0, n - 1)(rng));
    c.insert(c.end(), pts.begin() + pick * f, pts.begin() + (pick + 1) * f);
  }
  for (int it = 0; it < 20; ++it) {
    std::vector<double> sums(static_cast<size_t>(k) * f, 0), cnt(k, 0);
    for (size_t i = 0; i < n; ++i) {
      uint32_t best = 0;
      double bd = std::numeric_limits<double>::infinity();
      for (uint32_t q = 0; q < k; ++q) {
        double d = dist(i, c.data() + static_cast<size_t>(q) * f);
        if (d < bd) {
          bd = d;
          best = q;
        }
      }
      for (uint32_t j = 0; j < f; ++j) sums[best * f + j] += wts[i] * pts[i * f + j];
      cnt[best] += wts[i];
    }
    for (uint32_t q = 0; q < k; ++q) {
      if (cnt[q] <= 0) continue;
      for (uint32_t j = 0; j < f; ++j) c[q * f + j] = static_cast<float>(sums[q * f + j] / cnt[q]);
    }
  }
  return c;
}

Status CheckLabels(StepRunner& runner) {
  if (runner.features() == 0) return InvalidArgument("the data has no features");
  if (!runner.has_label()) return InvalidArgument("this algorithm needs labelled data (a label column)");
  return Status::OK();
}

}  // namespace

Result<std::vector<double>> SolveSpd(std::vector<double> a, std::vector<double> b, int n) {
  double trace = 0;
  for (int i = 0; i < n; ++i) trace += std::fabs(a[i * n + i]);
  double jitter = 0;
  for (int attempt = 0; attempt < 8; ++attempt) {
    std::vector<double> l(a);
    for (int i = 0; i < n; ++i) l[i * n + i] += jitter;
    bool ok = true;
    for (int j = 0; j < n && ok; ++j) {
      double s = l[j * n + j];
      for (int k = 0; k < j; ++k) s -= l[j * n + k] * l[j * n + k];
      if (s <= 1e-12 * std::max(1.0, trace / n)) {
        ok = false;
        break;
      }
      const double d = std::sqrt(s);
      l[j * n + j] = d;
      for (int i = j + 1; i < n; ++i) {
        double t = l[i * n + j];
        for (int k = 0; k < j; ++k) t -= l[i * n + k] * l[j * n + k];
        l[i * n + j] = t / d;
      }
    }
    if (!ok) {
      jitter = jitter == 0 ? 1e-10 * std::max(1.0, trace / n) : jitter * 100;
      continue;
    }
    std::vector<double> z(b);
    for (int i = 0; i < n; ++i) {
      for (int k = 0; k < i; ++k) z[i] -= l[i * n + k] * z[k];
      z[i] /= l[i * n + i];
    }
    for (int i = n - 1; i >= 0; --i) {
      for (int k = i + 1; k < n; ++k) z[i] -= l[k * n + i] * z[k];
      z[i] /= l[i * n + i];
    }
    return z;
  }
  return InvalidArgument("the normal equations are singular (constant or duplicate features?)");
}

Result<std::vector<double>> SolveLinreg(const double* gram, uint32_t f, double l2) {
  const int d = static_cast<int>(f) + 1;
  const double n = gram[d * d + d + 1];
  if (n <= 0) return InvalidArgument("no rows to fit");
  std::vector<double> a(gram, gram + d * d), b(gram + d * d, gram + d * d + d);
  for (int i = 0; i + 1 < d; ++i) a[i * d + i] += l2 * n;
  return SolveSpd(std::move(a), std::move(b), d);
}

std::string DescribeParams(const LogregOptions& o) {
  if (o.solver == "sgd")
    return fmt::format("solver=sgd iterations={} l2={:g} learning_rate={:g} batch_fraction={:g}", o.iterations, o.l2,
                       o.learning_rate, o.batch_fraction);
  return fmt::format("solver=lbfgs iterations={} l2={:g}", o.iterations, o.l2);
}

std::string DescribeParams(const KmeansOptions& o) {
  return fmt::format("k={} init={} iterations={}", o.k, o.init, o.iterations);
}

Result<TrainResult> TrainLinreg(StepRunner& runner, const LinregOptions& options) {
  RETURN_IF_ERROR(CheckLabels(runner));
  const uint32_t f = runner.features();
  auto t0 = std::chrono::steady_clock::now();
  MlCommand cmd;
  cmd.set_op(MlCommand::GRAM);
  ASSIGN_OR_RETURN(MlPartial p, runner.Run(cmd));
  if (static_cast<size_t>(p.values_size()) != GramValues(f)) return Internal("GRAM returned {} values", p.values_size());
  const double* g = p.values().data();
  ASSIGN_OR_RETURN(std::vector<double> w, SolveLinreg(g, f, options.l2));
  const int d = static_cast<int>(f) + 1;
  // Training SSE from the sums: yᵀy − 2wᵀXᵀy + wᵀXᵀXw.
  double sse = g[d * d + d];
  for (int i = 0; i < d; ++i) {
    sse -= 2 * w[i] * g[d * d + i];
    for (int j = 0; j < d; ++j) sse += w[i] * g[i * d + j] * w[j];
  }
  const double n = g[d * d + d + 1];
  TrainResult r;
  r.model = LinearModel("linreg", f, w);
  r.model.set_params(fmt::format("l2={:g}", options.l2));
  (*r.model.mutable_metrics())["rmse"] = std::sqrt(std::max(0.0, sse) / n);
  (*r.model.mutable_metrics())["rows"] = n;
  r.history.push_back({1, std::sqrt(std::max(0.0, sse) / n), Seconds(t0), p.rows()});
  r.steps = 1;
  return r;
}

Result<std::vector<TrainResult>> TrainLogregMany(StepRunner& runner, const std::vector<LogregOptions>& options,
                                                 const std::vector<int32_t>& held_out, uint32_t folds) {
  RETURN_IF_ERROR(CheckLabels(runner));
  if (options.empty()) return InvalidArgument("no models to train");
  const uint32_t f = runner.features();
  const size_t dim = f + 1;
  const size_t m = options.size();
  const bool sgd = options[0].solver == "sgd";
  for (const auto& o : options) {
    if (o.solver != "sgd" && o.solver != "lbfgs") return InvalidArgument("unknown solver '{}' (lbfgs or sgd)", o.solver);
    if ((o.solver == "sgd") != sgd) return InvalidArgument("models trained together must share a solver");
    if (o.iterations <= 0) return InvalidArgument("iterations must be positive");
  }
  std::vector<Lbfgs> opt;
  std::vector<std::vector<double>> w(m, std::vector<double>(dim, 0.0));
  std::vector<int> sgd_steps(m, 0);
  std::vector<TrainResult> out(m);
  for (size_t i = 0; i < m; ++i) opt.emplace_back(std::vector<double>(dim, 0.0), options[i].iterations, options[i].tolerance);
  int step = 0;
  while (true) {
    std::vector<size_t> active;
    for (size_t i = 0; i < m; ++i) {
      if (sgd ? sgd_steps[i] < options[i].iterations : !opt[i].done()) active.push_back(i);
    }
    if (active.empty()) break;
    auto t0 = std::chrono::steady_clock::now();
    MlCommand cmd;
    cmd.set_op(MlCommand::LOGREG_GRAD);
    cmd.set_folds(folds);
    if (sgd) {
      cmd.set_sample_fraction(options[0].batch_fraction);
      cmd.set_seed(options[0].seed * 1000003 + step);
    }
    for (size_t i : active) {
      const std::vector<double>& x = sgd ? w[i] : opt[i].point();
      MlModel* mm = cmd.add_models();
      *mm = LinearModel("logreg", f, x);
      cmd.add_model_fold(i < held_out.size() ? held_out[i] : -1);
    }
    ASSIGN_OR_RETURN(MlPartial p, runner.Run(cmd));
    ++step;
    if (static_cast<size_t>(p.values_size()) != LogregValues(f) * active.size())
      return Internal("LOGREG_GRAD returned {} values", p.values_size());
    const double secs = Seconds(t0);
    for (size_t a = 0; a < active.size(); ++a) {
      const size_t i = active[a];
      const double* v = p.values().data() + a * LogregValues(f);
      const double n = v[dim + 1];
      if (n <= 0) return InvalidArgument("no training rows{}", sgd ? " in a mini-batch (raise the batch fraction)" : "");
      const std::vector<double>& x = sgd ? w[i] : opt[i].point();
      const double l2 = options[i].l2;
      std::vector<double> g(dim);
      double reg = 0;
      for (size_t j = 0; j < dim; ++j) {
        g[j] = v[1 + j] / n + (j < f ? l2 * x[j] : 0.0);
        if (j < f) reg += x[j] * x[j];
      }
      const double obj = v[0] / n + 0.5 * l2 * reg;
      if (sgd) {
        const double lr = options[i].learning_rate / std::sqrt(1.0 + sgd_steps[i] / 10.0);
        for (size_t j = 0; j < dim; ++j) w[i][j] -= lr * g[j];
        ++sgd_steps[i];
      } else {
        opt[i].Tell(obj, g);
      }
      out[i].history.push_back({static_cast<int>(out[i].history.size()) + 1, obj, secs, p.rows()});
    }
  }
  for (size_t i = 0; i < m; ++i) {
    out[i].model = LinearModel("logreg", f, sgd ? w[i] : opt[i].x());
    out[i].model.set_params(DescribeParams(options[i]));
    out[i].steps = step;
    if (!out[i].history.empty()) (*out[i].model.mutable_metrics())["objective"] = sgd ? out[i].history.back().objective : opt[i].f();
  }
  return out;
}

Result<TrainResult> TrainLogreg(StepRunner& runner, const LogregOptions& options) {
  ASSIGN_OR_RETURN(std::vector<TrainResult> r, TrainLogregMany(runner, {options}, {-1}, 0));
  return std::move(r[0]);
}

Result<TrainResult> TrainKmeans(StepRunner& runner, const KmeansOptions& o) {
  const uint32_t f = runner.features();
  if (f == 0) return InvalidArgument("the data has no features");
  if (o.k == 0) return InvalidArgument("k must be positive");
  if (o.init != "kmeans||" && o.init != "kmeans++" && o.init != "random")
    return InvalidArgument("unknown k-means seeding '{}' (kmeans||, kmeans++ or random)", o.init);
  std::mt19937_64 rng(o.seed);
  TrainResult r;
  auto cost_sample = [&](const std::vector<float>& centres, double oversample, double phi, uint64_t seed) {
    MlCommand cmd;
    cmd.set_op(MlCommand::KMEANS_COST_SAMPLE);
    *cmd.add_models() = CentresModel(f, centres);
    cmd.mutable_models(0)->set_k(static_cast<uint32_t>(centres.size() / f));
    cmd.set_oversample(oversample);
    cmd.set_phi(phi);
    cmd.set_seed(seed);
    cmd.set_max_samples(static_cast<uint32_t>(std::max<double>(64, 4 * oversample)));
    ++r.steps;
    return runner.Run(cmd);
  };
  auto pick_from = [&](const MlPartial& p, std::vector<float>* centres) {
    std::vector<double> w(p.sample_weights().begin(), p.sample_weights().end());
    int i = PickWeighted(w, rng);
    if (i < 0) return false;
    centres->insert(centres->end(), p.samples().begin() + i * f, p.samples().begin() + (i + 1) * f);
    return true;
  };
  // The first centre: a uniform row (with no centres every row weighs 1).
  std::vector<float> centres;
  ASSIGN_OR_RETURN(MlPartial first, cost_sample({}, 0, 0, o.seed));
  if (first.rows() == 0) return InvalidArgument("the data has no rows");
  if (!pick_from(first, &centres)) return Internal("no row came back to seed k-means");
  if (o.init == "kmeans++" || o.init == "random") {
    while (centres.size() / f < o.k) {
      ASSIGN_OR_RETURN(MlPartial p, cost_sample(o.init == "random" ? std::vector<float>{} : centres, 0, 0,
                                                o.seed + centres.size()));
      if (!pick_from(p, &centres)) break;  // every row is a centre already
    }
  } else {
    const double l = o.oversample > 0 ? o.oversample : 2.0 * o.k;
    ASSIGN_OR_RETURN(MlPartial c0, cost_sample(centres, 0, 0, o.seed + 1));
    double phi = c0.values_size() > 0 ? c0.values(0) : 0;
    for (int round = 0; round < o.init_rounds && phi > 0; ++round) {
      ASSIGN_OR_RETURN(MlPartial p, cost_sample(centres, l, phi, o.seed + 100 + round));
      centres.insert(centres.end(), p.samples().begin(), p.samples().end());
      phi = p.values(0);
    }
    const uint32_t cands = static_cast<uint32_t>(centres.size() / f);
    if (cands > o.k) {
      // Weigh every candidate by the rows nearest to it, then pick k of them here.
      MlCommand cmd;
      cmd.set_op(MlCommand::KMEANS_STEP);
      *cmd.add_models() = CentresModel(f, centres);
      ASSIGN_OR_RETURN(MlPartial p, runner.Run(cmd));
      ++r.steps;
      std::vector<double> wts(p.values().begin() + static_cast<size_t>(cands) * f,
                              p.values().begin() + static_cast<size_t>(cands) * f + cands);
      centres = LocalKmeans(centres, wts, f, o.k, rng);
    }
    while (centres.size() / f < o.k) {
      ASSIGN_OR_RETURN(MlPartial p, cost_sample(centres, 0, 0, o.seed + 1000 + centres.size()));
      if (!pick_from(p, &centres)) break;
    }
  }
  const uint32_t k = static_cast<uint32_t>(centres.size() / f);
  double inertia = 0;
  for (int it = 0; it < o.iterations; ++it) {
    auto t0 = std::chrono::steady_clock::now();
    MlCommand cmd;
    cmd.set_op(MlCommand::KMEANS_STEP);
    *cmd.add_models() = CentresModel(f, centres);
    ASSIGN_OR_RETURN(MlPartial p, runner.Run(cmd));
    ++r.steps;
    if (static_cast<size_t>(p.values_size()) != KmeansValues(f, k)) return Internal("KMEANS_STEP returned {} values", p.values_size());
    const double* sums = p.values().data();
    const double* counts = sums + static_cast<size_t>(k) * f;
    inertia = counts[k];
    double max_shift = 0, scale = 0;
    for (uint32_t c = 0; c < k; ++c) {
      if (counts[c] <= 0) continue;  // an empty cluster keeps its centre
      double shift = 0;
      for (uint32_t j = 0; j < f; ++j) {
        const float nv = static_cast<float>(sums[c * f + j] / counts[c]);
        shift += (nv - centres[c * f + j]) * (nv - centres[c * f + j]);
        scale = std::max(scale, static_cast<double>(std::fabs(nv)));
        centres[c * f + j] = nv;
      }
      max_shift = std::max(max_shift, std::sqrt(shift));
    }
    r.history.push_back({it + 1, inertia, Seconds(t0), p.rows()});
    if (max_shift <= o.tolerance * std::max(1.0, scale)) break;
  }
  r.model = CentresModel(f, centres);
  r.model.set_params(DescribeParams(o));
  (*r.model.mutable_metrics())["inertia"] = inertia;
  return r;
}

Result<std::vector<std::map<std::string, double>>> EvaluateMany(StepRunner& runner, const std::vector<MlModel>& models,
                                                                const std::vector<int32_t>& held_out, uint32_t folds) {
  MlCommand cmd;
  cmd.set_op(MlCommand::EVALUATE);
  cmd.set_folds(folds);
  for (size_t i = 0; i < models.size(); ++i) {
    if (models[i].features() != runner.features())
      return InvalidArgument("the model has {} features, the data {}", models[i].features(), runner.features());
    *cmd.add_models() = models[i];
    cmd.add_model_fold(i < held_out.size() ? held_out[i] : -1);
  }
  ASSIGN_OR_RETURN(MlPartial p, runner.Run(cmd));
  if (static_cast<size_t>(p.values_size()) != models.size() * kEvalValues)
    return Internal("EVALUATE returned {} values", p.values_size());
  std::vector<std::map<std::string, double>> out;
  for (size_t i = 0; i < models.size(); ++i) {
    const double* v = p.values().data() + i * kEvalValues;
    std::map<std::string, double> m;
    const double n = v[0];
    m["rows"] = n;
    if (n > 0) {
      if (models[i].algorithm() == "logreg") {
        m["accuracy"] = v[1] / n;
        m["log_loss"] = v[2] / n;
      } else if (models[i].algorithm() == "linreg") {
        m["rmse"] = std::sqrt(v[1] / n);
        const double var = v[3] - v[2] * v[2] / n;
        m["r2"] = var > 0 ? 1 - v[1] / var : 0;
      } else {
        m["inertia"] = v[1];
        m["mean_sq_distance"] = v[1] / n;
      }
    }
    out.push_back(std::move(m));
  }
  return out;
}

Result<std::map<std::string, double>> Evaluate(StepRunner& runner, const MlModel& model) {
  ASSIGN_OR_RETURN(auto all, EvaluateMany(runner, {model}, {-1}, 0));
  return all[0];
}

}  // namespace cairn::ml
