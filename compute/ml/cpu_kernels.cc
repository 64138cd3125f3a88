// The CPU kernels: rows are split into chunks spread over a ForkJoin pool; each chunk
// accumulates in float registers (flushed into double every few hundred rows for
// accuracy) and the chunks' sums are added in chunk order, so results do not depend on
// thread timing. The row loops are written for the compiler to vectorise (omp simd with
// -fopenmp-simd), and on x86-64 the hot functions are cloned for AVX2/FMA, chosen at load.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <thread>
#include <vector>

#include "compute/ml/fork_join.h"
#include "compute/ml/kernels.h"

#if defined(__x86_64__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define CAIRN_ML_CLONES __attribute__((target_clones("arch=haswell", "default")))
#else
#define CAIRN_ML_CLONES
#endif

namespace cairn::ml {

namespace {

constexpr size_t kChunkRows = 8192;  // rows per parallel part
constexpr size_t kFlushRows = 256;   // float accumulation span

inline float Dot(const float* a, const float* b, uint32_t n) {
  float s = 0;
#pragma omp simd reduction(+ : s)
  for (uint32_t j = 0; j < n; ++j) s += a[j] * b[j];
  return s;
}

inline void Axpy(float r, const float* x, float* g, uint32_t n) {
#pragma omp simd
  for (uint32_t j = 0; j < n; ++j) g[j] += r * x[j];
}

inline void Flush(std::vector<float>& f, double* d) {
  for (size_t j = 0; j < f.size(); ++j) {
    d[j] += f[j];
    f[j] = 0;
  }
}

inline float Weight(const float* w, size_t i) { return w == nullptr ? 1.0f : w[i]; }

CAIRN_ML_CLONES
void LogregRange(const Partition& p, size_t a, size_t b, const float* rw, const float* w, bool want_loss, double* loss,
                 double* grad) {
  const uint32_t f = p.features;
  std::vector<float> g(f + 1, 0.0f);
  std::vector<double> gd(f + 1, 0.0);
  double l = 0;
  const float bias = w[f];
  for (size_t i = a; i < b; ++i) {
    const float wt = Weight(rw, i);
    if (wt == 0) continue;
    const float* x = p.row(i);
    const float z = bias + Dot(x, w, f);
    const float y = p.y[i];
    // One exponential serves the sigmoid on both sides of 0 and the stable log loss.
    const float e = std::exp(-std::fabs(z));
    const float inv = 1.0f / (1.0f + e);
    const float prob = z >= 0 ? inv : e * inv;
    const float r = wt * (prob - y);
    Axpy(r, x, g.data(), f);
    g[f] += r;
    if (want_loss) l += wt * (std::max(z, 0.0f) + std::log1p(e) - y * z);
    if ((i - a) % kFlushRows == kFlushRows - 1) Flush(g, gd.data());
  }
  Flush(g, gd.data());
  for (uint32_t j = 0; j <= f; ++j) grad[j] += gd[j];
  *loss += l;
}

CAIRN_ML_CLONES
void GramRange(const Partition& p, size_t a, size_t b, const float* rw, double* xtx, double* xty, double* yty) {
  const uint32_t d = p.features + 1;
  std::vector<float> acc(static_cast<size_t>(d) * d, 0.0f), accy(d, 0.0f);
  std::vector<float> row(d);
  double yy = 0;
  auto flush = [&] {
    for (uint32_t r = 0; r < d; ++r) {
      for (uint32_t c = r; c < d; ++c) {
        xtx[r * d + c] += acc[r * d + c];
        acc[r * d + c] = 0;
      }
      xty[r] += accy[r];
      accy[r] = 0;
    }
  };
  const bool labelled = !p.y.empty();
  for (size_t i = a; i < b; ++i) {
    const float wt = Weight(rw, i);
    if (wt == 0) continue;
    std::copy(p.row(i), p.row(i) + p.features, row.begin());
    row[d - 1] = 1.0f;
    const float y = labelled ? p.y[i] : 0.0f;
    for (uint32_t r = 0; r < d; ++r) {
      const float xr = wt * row[r];
      float* out = acc.data() + static_cast<size_t>(r) * d;
#pragma omp simd
      for (uint32_t c = r; c < d; ++c) out[c] += xr * row[c];
      accy[r] += xr * y;
    }
    yy += static_cast<double>(wt) * y * y;
    if ((i - a) % kFlushRows == kFlushRows - 1) flush();
  }
  flush();
  *yty += yy;
}

CAIRN_ML_CLONES
void NearestRange(const Partition& p, size_t a, size_t b, const float* centres, const float* cnorm, uint32_t k,
                  float* d2_out, int32_t* idx_out) {
  const uint32_t f = p.features;
  for (size_t i = a; i < b; ++i) {
    const float* x = p.row(i);
    const float xn = Dot(x, x, f);
    float best = std::numeric_limits<float>::infinity();
    int32_t bi = -1;
    for (uint32_t c = 0; c < k; ++c) {
      const float d = cnorm[c] - 2.0f * Dot(x, centres + static_cast<size_t>(c) * f, f);
      if (d < best) {
        best = d;
        bi = static_cast<int32_t>(c);
      }
    }
    if (d2_out != nullptr) d2_out[i] = k == 0 ? best : std::max(0.0f, best + xn);
    if (idx_out != nullptr) idx_out[i] = bi;
  }
}

std::vector<float> CentreNorms(const float* centres, uint32_t k, uint32_t f) {
  std::vector<float> n(k);
  for (uint32_t c = 0; c < k; ++c) n[c] = Dot(centres + static_cast<size_t>(c) * f, centres + static_cast<size_t>(c) * f, f);
  return n;
}

int DefaultThreads() {
  if (const char* env = std::getenv("CAIRN_ML_THREADS")) {
    int n = std::atoi(env);
    if (n > 0) return n;
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

class CpuKernels final : public Kernels {
 public:
  explicit CpuKernels(int threads) : pool_(threads > 0 ? threads : DefaultThreads()) {}
  std::string name() const override { return "cpu(" + std::to_string(pool_.threads()) + " threads)"; }

  void LogregLossGrad(const Partition& p, const float* rw, const float* w, double* loss, double* grad,
                      double* count) override {
    const uint32_t f = p.features;
    const int parts = Parts(p);
    std::vector<std::vector<double>> g(parts, std::vector<double>(f + 1, 0.0));
    std::vector<double> l(parts, 0.0);
    pool_.Run(parts, [&](int t) {
      auto [a, b] = Range(p, t, parts);
      LogregRange(p, a, b, rw, w, loss != nullptr, &l[t], g[t].data());
    });
    for (int t = 0; t < parts; ++t) {
      for (uint32_t j = 0; j <= f; ++j) grad[j] += g[t][j];
      if (loss != nullptr) *loss += l[t];
    }
    *count += WeightSum(p, rw);
  }

  void Gram(const Partition& p, const float* rw, double* xtx, double* xty, double* yty, double* count) override {
    const uint32_t d = p.features + 1;
    const int parts = Parts(p);
    std::vector<std::vector<double>> m(parts, std::vector<double>(static_cast<size_t>(d) * d + d + 1, 0.0));
    pool_.Run(parts, [&](int t) {
      auto [a, b] = Range(p, t, parts);
      double* base = m[t].data();
      GramRange(p, a, b, rw, base, base + static_cast<size_t>(d) * d, base + static_cast<size_t>(d) * d + d);
    });
    for (int t = 0; t < parts; ++t) {
      const double* base = m[t].data();
      for (uint32_t r = 0; r < d; ++r) {
        for (uint32_t c = r; c < d; ++c) {
          xtx[r * d + c] += base[r * d + c];
          if (c != r) xtx[c * d + r] += base[r * d + c];
        }
        xty[r] += base[static_cast<size_t>(d) * d + r];
      }
      *yty += base[static_cast<size_t>(d) * d + d];
    }
    *count += WeightSum(p, rw);
  }

  void KmeansStep(const Partition& p, const float* rw, const float* centres, uint32_t k, double* sums, double* counts,
                  double* inertia) override {
    const uint32_t f = p.features;
    std::vector<float> d2(p.rows());
    std::vector<int32_t> idx(p.rows());
    Nearest(p, centres, k, d2.data(), idx.data());
    const int parts = Parts(p);
    std::vector<std::vector<double>> s(parts, std::vector<double>(static_cast<size_t>(k) * (f + 1) + 1, 0.0));
    pool_.Run(parts, [&](int t) {
      auto [a, b] = Range(p, t, parts);
      double* acc = s[t].data();
      for (size_t i = a; i < b; ++i) {
        const float wt = Weight(rw, i);
        if (wt == 0 || idx[i] < 0) continue;
        double* cs = acc + static_cast<size_t>(idx[i]) * f;
        const float* x = p.row(i);
        for (uint32_t j = 0; j < f; ++j) cs[j] += wt * x[j];
        acc[static_cast<size_t>(k) * f + idx[i]] += wt;
        acc[static_cast<size_t>(k) * (f + 1)] += wt * d2[i];
      }
    });
    for (int t = 0; t < parts; ++t) {
      for (size_t j = 0; j < static_cast<size_t>(k) * f; ++j) sums[j] += s[t][j];
      for (uint32_t c = 0; c < k; ++c) counts[c] += s[t][static_cast<size_t>(k) * f + c];
      *inertia += s[t][static_cast<size_t>(k) * (f + 1)];
    }
  }

  void MinDistances(const Partition& p, const float* centres, uint32_t k, float* d2) override {
    Nearest(p, centres, k, d2, nullptr);
  }

  void Assign(const Partition& p, const float* centres, uint32_t k, int32_t* out) override {
    Nearest(p, centres, k, nullptr, out);
  }

  void Margins(const Partition& p, const float* w, float* out) override {
    const int parts = Parts(p);
    pool_.Run(parts, [&](int t) {
      auto [a, b] = Range(p, t, parts);
      for (size_t i = a; i < b; ++i) out[i] = w[p.features] + Dot(p.row(i), w, p.features);
    });
  }

 private:
  static int Parts(const Partition& p) { return static_cast<int>(std::max<size_t>(1, (p.rows() + kChunkRows - 1) / kChunkRows)); }
  static std::pair<size_t, size_t> Range(const Partition& p, int t, int parts) {
    const size_t n = p.rows();
    return {n * t / parts, n * (t + 1) / parts};
  }
  static double WeightSum(const Partition& p, const float* rw) {
    if (rw == nullptr) return static_cast<double>(p.rows());
    double s = 0;
    for (size_t i = 0; i < p.rows(); ++i) s += rw[i];
    return s;
  }
  void Nearest(const Partition& p, const float* centres, uint32_t k, float* d2, int32_t* idx) {
    std::vector<float> cn = CentreNorms(centres, k, p.features);
    const int parts = Parts(p);
    pool_.Run(parts, [&](int t) {
      auto [a, b] = Range(p, t, parts);
      NearestRange(p, a, b, centres, cn.data(), k, d2, idx);
    });
  }

  ForkJoin pool_;
};

}  // namespace

std::unique_ptr<Kernels> MakeCpuKernels(int threads) { return std::make_unique<CpuKernels>(threads); }

}  // namespace cairn::ml
