// The built-in ML pieces in one process: data formats, the CPU kernels against plain
// loops, and the algorithms (over LocalStepRunner, the same steps a cluster runs).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "compute/ml/algorithms.h"
#include "compute/ml/dataset.h"
#include "compute/ml/gen.h"
#include "compute/ml/lbfgs.h"
#include "compute/ml/ops.h"
#include "compute/ml/step_runner.h"
#include "compute/ml/tune.h"
#include "compute/ml/worker/partition_cache.h"
#include "compute/runtime/record_reader.h"
#include "tests/support/test_util.h"

namespace cairn::ml {
namespace {

// Generated data as one partition (through the file format, so the parser is exercised).
std::shared_ptr<Partition> Generate(const GenOptions& o) {
  auto g = Generator::Create(o);
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  std::string file = g->Header();
  g->Rows(0, o.rows, &file);
  auto p = ParseWholeFile(file, g->format());
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return *p;
}

LocalStepRunner Runner(const Partition& p, int parts = 4) { return LocalStepRunner(SplitRows(p, parts), MakeCpuKernels(2)); }

class StringSource final : public compute::ByteSource {
 public:
  StringSource(const std::string& s, size_t pos) : s_(s), pos_(pos) {}
  Result<size_t> Read(char* buf, size_t n) override {
    size_t k = std::min(n, s_.size() - pos_);
    std::memcpy(buf, s_.data() + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  const std::string& s_;
  size_t pos_;
};

TEST(MlDataTest, CsvParsesWithHeaderAndRejectsBadRows) {
  MlDataFormat f;
  f.set_kind(MlDataFormat::CSV);
  f.set_features(2);
  auto p = ParseWholeFile("a,b,label\n1.5,2,1\n\n-3e1, 4 ,0\r\n", f);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ((*p)->rows(), 2u);
  EXPECT_FLOAT_EQ((*p)->x[2], -30.0f);
  EXPECT_FLOAT_EQ((*p)->y[0], 1.0f);
  auto bad = ParseWholeFile("1,2,3\n1,x,0\n", f);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 2"), std::string::npos) << bad.status().ToString();
  EXPECT_FALSE(ParseWholeFile("1,2,3\n1,2,3,4\n", f).ok());
  auto detected = DetectFormat("x,y,label\n0.5,1,0\n", true);
  ASSERT_TRUE(detected.ok());
  EXPECT_EQ(detected->features(), 2u);
  EXPECT_EQ(detected->kind(), MlDataFormat::CSV);
}

// Splits at arbitrary offsets read every row exactly once, in both formats.
TEST(MlDataTest, SplitsReadEveryRowOnce) {
  for (auto kind : {MlDataFormat::BINARY, MlDataFormat::CSV}) {
    GenOptions o;
    o.rows = 1000;
    o.features = 3;
    o.format = kind;
    auto g = Generator::Create(o);
    ASSERT_TRUE(g.ok());
    std::string file = g->Header();
    g->Rows(0, o.rows, &file);
    auto whole = ParseWholeFile(file, g->format());
    ASSERT_TRUE(whole.ok());
    ASSERT_EQ((*whole)->rows(), 1000u);
    std::vector<float> x, y;
    std::vector<uint64_t> cuts = {0, 1, 31, 32, 33, 500, 777, 4096, file.size() - 5, file.size()};
    for (size_t i = 0; i + 1 < cuts.size(); ++i) {
      StringSource src(file, cuts[i]);
      auto part = ReadPartition(&src, "f", cuts[i], cuts[i + 1], file.size(), g->format(), static_cast<int32_t>(i));
      ASSERT_TRUE(part.ok()) << part.status().ToString();
      x.insert(x.end(), (*part)->x.begin(), (*part)->x.end());
      y.insert(y.end(), (*part)->y.begin(), (*part)->y.end());
    }
    EXPECT_EQ(x, (*whole)->x) << "kind " << kind;
    EXPECT_EQ(y, (*whole)->y);
  }
}

TEST(MlDataTest, BinaryHeaderMismatchIsAnError) {
  GenOptions o;
  o.rows = 10;
  o.features = 4;
  auto g = Generator::Create(o);
  std::string file = g->Header();
  g->Rows(0, o.rows, &file);
  MlDataFormat f = g->format();
  f.set_features(3);
  EXPECT_FALSE(ParseWholeFile(file, f).ok());
  EXPECT_FALSE(ParseWholeFile(file.substr(0, file.size() - 2), g->format()).ok());
}

// The CPU kernels against straightforward loops, with row weights.
TEST(MlKernelsTest, CpuKernelsMatchPlainLoops) {
  GenOptions o;
  o.rows = 20000;
  o.features = 7;
  o.noise = 0.5;
  auto p = Generate(o);
  const uint32_t f = o.features;
  std::mt19937 rng(3);
  std::vector<float> w(f + 1), rw(p->rows());
  for (auto& v : w) v = std::normal_distribution<float>(0, 0.5)(rng);
  for (auto& v : rw) v = static_cast<float>(rng() % 2);
  auto k = MakeCpuKernels(2);
  double loss = 0, cnt = 0;
  std::vector<double> grad(f + 1, 0);
  k->LogregLossGrad(*p, rw.data(), w.data(), &loss, grad.data(), &cnt);
  double rl = 0, rc = 0;
  std::vector<double> rg(f + 1, 0);
  for (size_t i = 0; i < p->rows(); ++i) {
    double z = w[f];
    for (uint32_t j = 0; j < f; ++j) z += w[j] * p->row(i)[j];
    const double pr = 1 / (1 + std::exp(-z)), y = p->y[i];
    rl += rw[i] * (std::log1p(std::exp(-std::fabs(z))) + std::max(z, 0.0) - y * z);
    for (uint32_t j = 0; j < f; ++j) rg[j] += rw[i] * (pr - y) * p->row(i)[j];
    rg[f] += rw[i] * (pr - y);
    rc += rw[i];
  }
  EXPECT_NEAR(loss, rl, 1e-3 * std::fabs(rl));
  EXPECT_DOUBLE_EQ(cnt, rc);
  for (uint32_t j = 0; j <= f; ++j) EXPECT_NEAR(grad[j], rg[j], 1e-3 * (1 + std::fabs(rg[j])));

  std::vector<double> xtx((f + 1) * (f + 1), 0), xty(f + 1, 0);
  double yty = 0, n = 0;
  k->Gram(*p, nullptr, xtx.data(), xty.data(), &yty, &n);
  double ref01 = 0, refy = 0;
  for (size_t i = 0; i < p->rows(); ++i) {
    ref01 += p->row(i)[0] * p->row(i)[1];
    refy += p->y[i];
  }
  EXPECT_NEAR(xtx[1], ref01, 1e-3 * (1 + std::fabs(ref01)));
  EXPECT_NEAR(xtx[1 * (f + 1) + 0], ref01, 1e-3 * (1 + std::fabs(ref01)));
  EXPECT_NEAR(xty[f], refy, 1e-3 * (1 + std::fabs(refy)));
  EXPECT_EQ(n, 20000);

  std::vector<float> centres(3 * f);
  for (auto& v : centres) v = std::normal_distribution<float>(0, 1)(rng);
  std::vector<double> sums(3 * f, 0), counts(3, 0);
  double inertia = 0;
  k->KmeansStep(*p, nullptr, centres.data(), 3, sums.data(), counts.data(), &inertia);
  std::vector<int32_t> idx(p->rows());
  k->Assign(*p, centres.data(), 3, idx.data());
  double ri = 0;
  std::vector<double> rcnt(3, 0);
  for (size_t i = 0; i < p->rows(); ++i) {
    double best = 1e300;
    int bi = 0;
    for (int c = 0; c < 3; ++c) {
      double d = 0;
      for (uint32_t j = 0; j < f; ++j) d += (p->row(i)[j] - centres[c * f + j]) * (p->row(i)[j] - centres[c * f + j]);
      if (d < best) best = d, bi = c;
    }
    ri += best;
    rcnt[bi] += 1;
    EXPECT_EQ(idx[i], bi);
  }
  EXPECT_NEAR(inertia, ri, 1e-3 * ri);
  for (int c = 0; c < 3; ++c) EXPECT_EQ(counts[c], rcnt[c]);
}

TEST(MlAlgorithmsTest, LbfgsMinimisesAQuadratic) {
  // f(x) = Σ (i+1)(x_i − i)², minimum at x_i = i.
  Lbfgs opt(std::vector<double>(5, 0.0), 100, 1e-12);
  while (!opt.done()) {
    const auto& x = opt.point();
    double f = 0;
    std::vector<double> g(5);
    for (int i = 0; i < 5; ++i) {
      f += (i + 1) * (x[i] - i) * (x[i] - i);
      g[i] = 2 * (i + 1) * (x[i] - i);
    }
    opt.Tell(f, g);
  }
  for (int i = 0; i < 5; ++i) EXPECT_NEAR(opt.x()[i], i, 1e-4);
}

// Linear regression equals the closed form (normal equations solved here in long double).
TEST(MlAlgorithmsTest, LinearRegressionMatchesClosedForm) {
  GenOptions o;
  o.kind = "regression";
  o.rows = 5000;
  o.features = 4;
  o.noise = 0.3;
  auto p = Generate(o);
  auto runner = Runner(*p);
  auto r = TrainLinreg(runner, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const int d = 5;
  std::vector<long double> a(d * d, 0), b(d, 0);
  for (size_t i = 0; i < p->rows(); ++i) {
    long double row[d];
    for (int j = 0; j < 4; ++j) row[j] = p->row(i)[j];
    row[4] = 1;
    for (int r1 = 0; r1 < d; ++r1) {
      for (int c = 0; c < d; ++c) a[r1 * d + c] += row[r1] * row[c];
      b[r1] += row[r1] * p->y[i];
    }
  }
  // Gaussian elimination with partial pivoting.
  for (int c = 0; c < d; ++c) {
    int piv = c;
    for (int r1 = c + 1; r1 < d; ++r1) if (std::fabs(static_cast<double>(a[r1 * d + c])) > std::fabs(static_cast<double>(a[piv * d + c]))) piv = r1;
    for (int k = 0; k < d; ++k) std::swap(a[c * d + k], a[piv * d + k]);
    std::swap(b[c], b[piv]);
    for (int r1 = c + 1; r1 < d; ++r1) {
      long double m = a[r1 * d + c] / a[c * d + c];
      for (int k = c; k < d; ++k) a[r1 * d + k] -= m * a[c * d + k];
      b[r1] -= m * b[c];
    }
  }
  std::vector<long double> w(d);
  for (int r1 = d - 1; r1 >= 0; --r1) {
    long double s = b[r1];
    for (int k = r1 + 1; k < d; ++k) s -= a[r1 * d + k] * w[k];
    w[r1] = s / a[r1 * d + r1];
  }
  for (int j = 0; j < d; ++j) EXPECT_NEAR(r->model.weights(j), static_cast<double>(w[j]), 1e-3) << "weight " << j;
  // And it found the planted weights (up to the noise).
  auto g = Generator::Create(o);
  for (int j = 0; j < d; ++j) EXPECT_NEAR(r->model.weights(j), g->truth().weights[j], 0.05);
  auto m = Evaluate(runner, r->model);
  ASSERT_TRUE(m.ok());
  EXPECT_NEAR(m->at("rmse"), 0.3, 0.03);
}

// Logistic regression reaches 97% accuracy on linearly separable data, with both solvers.
TEST(MlAlgorithmsTest, LogisticRegressionSeparatesSeparableData) {
  GenOptions o;
  o.rows = 20000;
  o.features = 10;
  auto p = Generate(o);
  auto runner = Runner(*p);
  for (const char* solver : {"lbfgs", "sgd"}) {
    LogregOptions lo;
    lo.solver = solver;
    lo.iterations = std::string(solver) == "sgd" ? 200 : 100;
    lo.l2 = 1e-5;
    auto r = TrainLogreg(runner, lo);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    auto m = Evaluate(runner, r->model);
    ASSERT_TRUE(m.ok());
    EXPECT_GE(m->at("accuracy"), 0.97) << solver;
    EXPECT_LT(m->at("log_loss"), 0.2) << solver;
    EXPECT_GT(r->history.front().objective, r->history.back().objective) << solver;
  }
}

// k-means recovers planted centres, with both seedings.
TEST(MlAlgorithmsTest, KmeansRecoversPlantedCentres) {
  GenOptions o;
  o.kind = "clustering";
  o.rows = 20000;
  o.features = 5;
  o.clusters = 6;
  o.spread = 0.5;
  auto p = Generate(o);
  auto g = Generator::Create(o);
  auto runner = Runner(*p);
  for (const char* init : {"kmeans||", "kmeans++"}) {
    KmeansOptions ko;
    ko.k = 6;
    ko.init = init;
    ko.seed = 7;
    auto r = TrainKmeans(runner, ko);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->model.k(), 6u);
    for (uint32_t c = 0; c < 6; ++c) {
      double best = 1e300;
      for (uint32_t q = 0; q < 6; ++q) {
        double d = 0;
        for (uint32_t j = 0; j < 5; ++j) {
          const double t = g->truth().centres[c * 5 + j] - r->model.weights(q * 5 + j);
          d += t * t;
        }
        best = std::min(best, d);
      }
      EXPECT_LT(std::sqrt(best), 0.1) << init << ": planted centre " << c << " not found";
    }
  }
}

// On a crafted grid the known-best setting wins: linear regression without a penalty
// beats absurd ridge penalties; logistic regression with a tiny penalty beats huge ones.
TEST(MlAlgorithmsTest, TunePicksTheKnownBestSetting) {
  GenOptions o;
  o.kind = "regression";
  o.rows = 4000;
  o.features = 3;
  o.noise = 0.1;
  auto p = Generate(o);
  auto runner = Runner(*p);
  TuneOptions t;
  t.algorithm = "linreg";
  t.folds = 3;
  t.trials = GridTrials({{"l2", {10, 0, 1}}});
  auto r = Tune(runner, t);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->trials.size(), 3u);
  EXPECT_EQ(r->trials[r->best].params.at("l2"), 0);
  EXPECT_NEAR(r->trials[r->best].mean, 0.1, 0.02);
  EXPECT_NE(FormatTuneTable(*r).find("<- best"), std::string::npos);

  GenOptions c;
  c.rows = 6000;
  c.features = 4;
  auto q = Generate(c);
  auto runner2 = Runner(*q);
  TuneOptions lt;
  lt.algorithm = "logreg";
  lt.folds = 3;
  lt.logreg.iterations = 30;
  lt.trials = GridTrials({{"l2", {5, 1e-4, 1}}});
  auto lr = Tune(runner2, lt);
  ASSERT_TRUE(lr.ok()) << lr.status().ToString();
  EXPECT_EQ(lr->trials[lr->best].params.at("l2"), 1e-4);
  EXPECT_GE(lr->trials[lr->best].accuracy, 0.95);
  auto m = Evaluate(runner2, lr->refit.model);
  ASSERT_TRUE(m.ok());
  EXPECT_GE(m->at("accuracy"), 0.95);
}

// Random search draws log-uniformly inside the ranges, reproducibly, and tune ranks what it drew.
TEST(MlAlgorithmsTest, RandomSearchStaysInItsRanges) {
  auto a = RandomTrials({{"l2", {1e-6, 1.0}}, {"learning_rate", {0.1, 2}}}, 12, 9);
  auto b = RandomTrials({{"l2", {1e-6, 1.0}}, {"learning_rate", {0.1, 2}}}, 12, 9);
  ASSERT_EQ(a.size(), 12u);
  EXPECT_EQ(a, b);
  int small = 0;
  for (const auto& t : a) {
    EXPECT_GE(t.at("l2"), 1e-6);
    EXPECT_LE(t.at("l2"), 1.0);
    EXPECT_GE(t.at("learning_rate"), 0.1);
    EXPECT_LE(t.at("learning_rate"), 2.0);
    small += t.at("l2") < 1e-3;
  }
  EXPECT_GE(small, 3) << "log-uniform draws should often be tiny";
  GenOptions o;
  o.rows = 3000;
  o.features = 3;
  auto p = Generate(o);
  auto runner = Runner(*p);
  TuneOptions t;
  t.algorithm = "logreg";
  t.logreg.solver = "sgd";
  t.logreg.iterations = 20;
  t.logreg.batch_fraction = 0.5;
  t.trials = RandomTrials({{"l2", {1e-5, 10}}}, 4, 3);
  auto r = Tune(runner, t);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  double best_l2 = r->trials[r->best].params.at("l2");
  for (const auto& tr : r->trials) EXPECT_LE(best_l2, tr.params.at("l2") * 1.0001 + 0.1);
}

TEST(MlAlgorithmsTest, BadRequestsAreClearErrors) {
  GenOptions o;
  o.rows = 100;
  o.features = 2;
  auto p = Generate(o);
  auto runner = Runner(*p, 2);
  KmeansOptions ko;
  ko.k = 0;
  EXPECT_FALSE(TrainKmeans(runner, ko).ok());
  LogregOptions lo;
  lo.solver = "adam";
  EXPECT_FALSE(TrainLogreg(runner, lo).ok());
  MlModel wrong;
  wrong.set_algorithm("logreg");
  wrong.set_features(5);
  wrong.mutable_weights()->Resize(6, 0.0f);
  auto e = Evaluate(runner, wrong);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("features"), std::string::npos);
  TuneOptions t;
  t.algorithm = "kmeans";
  t.trials = GridTrials({{"l2", {1}}});
  EXPECT_FALSE(Tune(runner, t).ok());
}

// The worker's cache keeps partitions within its byte budget, evicts the least recently
// used, and loads an evicted partition again (a miss) from its remembered request.
TEST(MlCacheTest, EvictsLeastRecentlyUsedAndReloads) {
  int loads = 0;
  PartitionCache cache(3 * (4000 * sizeof(float) + sizeof(Partition)) + 100, [&](const MlLoadRequest& r) {
    ++loads;
    auto p = std::make_shared<Partition>();
    p->index = r.partition();
    p->features = 4;
    p->x.assign(4000, static_cast<float>(r.partition()));
    return Result<std::shared_ptr<const Partition>>(std::shared_ptr<const Partition>(p));
  });
  for (int i = 0; i < 3; ++i) {
    MlLoadRequest r;
    r.set_partition(i);
    ASSERT_TRUE(cache.Load(r).ok());
  }
  bool hit = false;
  ASSERT_TRUE(cache.Get(0, &hit).ok());  // 0 is now the most recent
  EXPECT_TRUE(hit);
  MlLoadRequest r3;
  r3.set_partition(3);
  ASSERT_TRUE(cache.Load(r3).ok());      // evicts 1, the least recently used
  EXPECT_EQ(cache.stats().evictions, 1);
  auto p1 = cache.Get(1, &hit);
  ASSERT_TRUE(p1.ok());
  EXPECT_FALSE(hit);
  EXPECT_EQ((*p1)->x[0], 1.0f);
  EXPECT_EQ(loads, 5);
  EXPECT_LE(cache.stats().bytes, 3 * (4000 * sizeof(float) + sizeof(Partition)) + 100);
  auto missing = cache.Get(42, &hit);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace cairn::ml
