// The CUDA kernels against the CPU ones, within a tolerance. Runs where a GPU is present;
// elsewhere it skips, saying why (no CUDA in this build, or no device).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "compute/ml/gen.h"
#include "compute/ml/dataset.h"
#include "compute/ml/kernels.h"

namespace cairn::ml {
namespace {

void ExpectClose(const std::vector<double>& a, const std::vector<double>& b, double rel, const char* what) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_NEAR(a[i], b[i], rel * (1 + std::fabs(b[i]))) << what << " [" << i << "]";
}

TEST(MlCudaKernelsTest, CudaMatchesCpu) {
  if (!CudaBuilt()) GTEST_SKIP() << "this build has no CUDA kernels (nvcc was not found at build time)";
  std::string why;
  auto gpu = MakeCudaKernels(&why);
  if (!gpu) GTEST_SKIP() << "no usable GPU here: " << why;
  auto cpu = MakeCpuKernels(2);
  GenOptions o;
  o.rows = 300000;  // more than one device chunk
  o.features = 16;
  o.noise = 0.3;
  auto g = Generator::Create(o);
  ASSERT_TRUE(g.ok());
  std::string file = g->Header();
  g->Rows(0, o.rows, &file);
  auto parsed = ParseWholeFile(file, g->format());
  ASSERT_TRUE(parsed.ok());
  const Partition& p = **parsed;
  const uint32_t f = o.features;
  std::mt19937 rng(5);
  std::vector<float> w(f + 1), rw(p.rows());
  for (auto& v : w) v = std::normal_distribution<float>(0, 0.3)(rng);
  for (auto& v : rw) v = static_cast<float>(rng() % 3 != 0);

  std::vector<double> g1(f + 1, 0), g2(f + 1, 0);
  double l1 = 0, l2 = 0, n1 = 0, n2 = 0;
  cpu->LogregLossGrad(p, rw.data(), w.data(), &l1, g1.data(), &n1);
  gpu->LogregLossGrad(p, rw.data(), w.data(), &l2, g2.data(), &n2);
  EXPECT_NEAR(l2, l1, 1e-3 * std::fabs(l1));
  EXPECT_EQ(n1, n2);
  ExpectClose(g2, g1, 1e-3, "logreg gradient");

  const size_t d = f + 1;
  std::vector<double> a1(d * d, 0), a2(d * d, 0), b1(d, 0), b2(d, 0);
  double y1 = 0, y2 = 0, c1 = 0, c2 = 0;
  cpu->Gram(p, rw.data(), a1.data(), b1.data(), &y1, &c1);
  gpu->Gram(p, rw.data(), a2.data(), b2.data(), &y2, &c2);
  ExpectClose(a2, a1, 1e-3, "XtX");
  ExpectClose(b2, b1, 1e-3, "Xty");
  EXPECT_NEAR(y2, y1, 1e-3 * y1);
  EXPECT_EQ(c1, c2);

  const uint32_t k = 8;
  std::vector<float> centres(k * f);
  for (auto& v : centres) v = std::normal_distribution<float>(0, 1)(rng);
  std::vector<double> s1(k * f, 0), s2(k * f, 0), k1(k, 0), k2(k, 0);
  double i1 = 0, i2 = 0;
  cpu->KmeansStep(p, nullptr, centres.data(), k, s1.data(), k1.data(), &i1);
  gpu->KmeansStep(p, nullptr, centres.data(), k, s2.data(), k2.data(), &i2);
  // Float rounding may move a row whose two nearest centres tie; allow a few.
  ExpectClose(k2, k1, 1e-3, "cluster sizes");
  ExpectClose(s2, s1, 2e-3, "cluster sums");
  EXPECT_NEAR(i2, i1, 1e-3 * i1);

  std::vector<float> m1(p.rows()), m2(p.rows());
  cpu->Margins(p, w.data(), m1.data());
  gpu->Margins(p, w.data(), m2.data());
  for (size_t i = 0; i < p.rows(); i += 997) EXPECT_NEAR(m2[i], m1[i], 1e-3 * (1 + std::fabs(m1[i])));
  std::vector<float> d1(p.rows()), d2(p.rows());
  cpu->MinDistances(p, centres.data(), k, d1.data());
  gpu->MinDistances(p, centres.data(), k, d2.data());
  for (size_t i = 0; i < p.rows(); i += 997) EXPECT_NEAR(d2[i], d1[i], 1e-3 * (1 + d1[i]));
}

}  // namespace
}  // namespace cairn::ml
