// Kernels: the numeric inner loops of the built-in algorithms over one partition, behind
// one interface with a CPU implementation (cpu_kernels.cc: vectorised, all cores) and a
// CUDA one (cuda_kernels.cu: cuBLAS for the matrix products, own kernels for the rest;
// built only when nvcc is found). Every call may be restricted to a subset of rows by a
// 0/1 weight per row (k-fold training, mini-batches); null means every row.
//
// Results are accumulated (added) into the caller's double buffers, so a step sums over
// its partitions by calling the kernel once per partition.
//
// ChooseKernels (backend.h) picks the backend for this process: CUDA when it was built, the process
// was given GPUs (CUDA_VISIBLE_DEVICES set and not empty, as the executor does for a task
// granted GPUs) and a device is really present; CPU otherwise. "cpu"/"cuda" force one
// ("cuda" fails when no device can be used).
//
// Thread-safety: a Kernels object may be used by one thread at a time (the CPU one runs
// its own worker threads inside each call).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "compute/ml/partition.h"

namespace cairn::ml {

class Kernels {
 public:
  virtual ~Kernels() = default;
  virtual std::string name() const = 0;

  // Logistic regression, w = F weights then the bias: loss += Σ wt·logloss(σ(x·w+b), y),
  // grad[0..F] += Σ wt·(σ(x·w+b) − y)·[x, 1], *count += Σ wt.
  virtual void LogregLossGrad(const Partition& p, const float* row_weight, const float* w, double* loss,
                              double* grad, double* count) = 0;
  // Linear regression's sufficient statistics with a bias column (d = F + 1):
  // xtx[d*d] += Σ wt·[x,1][x,1]ᵀ, xty[d] += Σ wt·y·[x,1], *yty += Σ wt·y², *count += Σ wt.
  virtual void Gram(const Partition& p, const float* row_weight, double* xtx, double* xty, double* yty,
                    double* count) = 0;
  // k-means, centres = k rows of F: for every row its nearest centre; sums[k*F] and
  // counts[k] of the rows per centre, *inertia += Σ wt·min distance².
  virtual void KmeansStep(const Partition& p, const float* row_weight, const float* centres, uint32_t k,
                          double* sums, double* counts, double* inertia) = 0;
  // Squared distance of every row to its nearest centre (k may be 0: +inf), into d2[rows].
  virtual void MinDistances(const Partition& p, const float* centres, uint32_t k, float* d2) = 0;
  // x·w + b for every row (w = F weights then the bias), into out[rows].
  virtual void Margins(const Partition& p, const float* w, float* out) = 0;
  // k-means: the index of each row's nearest centre, into out[rows].
  virtual void Assign(const Partition& p, const float* centres, uint32_t k, int32_t* out) = 0;
};

// threads: CPU worker threads per call (0: the machine's cores, or $CAIRN_ML_THREADS).
std::unique_ptr<Kernels> MakeCpuKernels(int threads = 0);
// Null, with the reason in *why, when CUDA is not built in or no device is usable.
std::unique_ptr<Kernels> MakeCudaKernels(std::string* why);
// Whether the CUDA backend was compiled in.
bool CudaBuilt();

}  // namespace cairn::ml
