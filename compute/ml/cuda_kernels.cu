// The CUDA kernels (built when nvcc is found; see kernels.h). A partition is copied to the
// device on first use and kept there (keyed by Partition::id, evicted oldest first when
// device memory runs short), so cached iterations move only the model and the results.
// Rows are processed in chunks of kChunkRows to bound scratch memory. Matrix products go
// to cuBLAS (gemv for margins and gradients, gemm for Gram matrices and distances); the
// element-wise parts (sigmoid and loss, nearest centre, per-centre sums) are own kernels.
//
// Thread-safety: one thread at a time (a handle, a stream and the scratch buffers).
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <cmath>
#include <new>
#include <string>
#include <list>
#include <map>
#include <vector>

#include "compute/ml/kernels.h"

namespace cairn::ml {

namespace {

constexpr size_t kChunkRows = 1 << 18;

__global__ void LogregResidual(const float* z, const float* y, const float* wt, float bias, size_t n, float* r,
                               float* loss) {
  size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  float w = wt == nullptr ? 1.0f : wt[i];
  float zi = z[i] + bias;
  float p = 1.0f / (1.0f + expf(-zi));
  r[i] = w * (p - y[i]);
  loss[i] = w * (fmaxf(zi, 0.0f) + log1pf(expf(-fabsf(zi))) - y[i] * zi);
}

// x scaled by sqrt(wt) per row, with a trailing column sqrt(wt) (the bias), into out (d per row).
__global__ void WeightedAugment(const float* x, const float* wt, uint32_t f, size_t n, float* out) {
  size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  float s = wt == nullptr ? 1.0f : sqrtf(wt[i]);
  const float* xi = x + i * f;
  float* o = out + i * (f + 1);
  for (uint32_t j = 0; j < f; ++j) o[j] = s * xi[j];
  o[f] = s;
}

__global__ void WeightedLabels(const float* y, const float* wt, size_t n, float* wy, float* wyy, float* w) {
  size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  float s = wt == nullptr ? 1.0f : wt[i];
  wy[i] = y == nullptr ? 0.0f : sqrtf(s) * y[i];
  wyy[i] = y == nullptr ? 0.0f : s * y[i] * y[i];
  w[i] = s;
}

// dots: k x n (column-major, dots[c + i*k] = x_i·c_c).
__global__ void Nearest(const float* x, const float* dots, const float* cnorm, uint32_t f, uint32_t k, size_t n,
                        float* d2, int32_t* idx) {
  size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  const float* xi = x + i * f;
  float xn = 0;
  for (uint32_t j = 0; j < f; ++j) xn += xi[j] * xi[j];
  float best = INFINITY;
  int32_t bi = -1;
  for (uint32_t c = 0; c < k; ++c) {
    float d = cnorm[c] - 2.0f * dots[c + i * k];
    if (d < best) {
      best = d;
      bi = static_cast<int32_t>(c);
    }
  }
  if (d2 != nullptr) d2[i] = k == 0 ? best : fmaxf(0.0f, best + xn);
  if (idx != nullptr) idx[i] = bi;
}

__global__ void Accumulate(const float* x, const float* wt, const int32_t* idx, const float* d2, uint32_t f, uint32_t k,
                           size_t n, double* sums, double* counts, double* inertia) {
  size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  float w = wt == nullptr ? 1.0f : wt[i];
  int32_t c = idx[i];
  if (w == 0.0f || c < 0) return;
  const float* xi = x + i * f;
  for (uint32_t j = 0; j < f; ++j) atomicAdd(&sums[static_cast<size_t>(c) * f + j], static_cast<double>(w * xi[j]));
  atomicAdd(&counts[c], static_cast<double>(w));
  atomicAdd(inertia, static_cast<double>(w * d2[i]));
}

__global__ void AddBias(float* z, float b, size_t n) {
  size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x;
  if (i < n) z[i] += b;
}

unsigned Blocks(size_t n) { return static_cast<unsigned>((n + 255) / 256); }

class CudaKernels final : public Kernels {
 public:
  CudaKernels(int device, std::string device_name) : device_(device), device_name_(std::move(device_name)) {}
  ~CudaKernels() override {
    for (auto& [id, d] : resident_) Free(d);
    for (void* p : scratch_) cudaFree(p);
    if (handle_ != nullptr) cublasDestroy(handle_);
    if (stream_ != nullptr) cudaStreamDestroy(stream_);
  }

  // Empty on success, else why not.
  std::string Init() {
    if (cudaSetDevice(device_) != cudaSuccess) return "cudaSetDevice failed";
    if (cudaStreamCreate(&stream_) != cudaSuccess) return "cannot create a CUDA stream";
    if (cublasCreate(&handle_) != CUBLAS_STATUS_SUCCESS) return "cannot create a cuBLAS handle";
    cublasSetStream(handle_, stream_);
    return "";
  }

  std::string name() const override { return "cuda(" + device_name_ + ")"; }

  void LogregLossGrad(const Partition& p, const float* rw, const float* w, double* loss, double* grad,
                      double* count) override {
    const uint32_t f = p.features;
    const Resident& d = Upload(p);
    float* wd = Model(w, f + 1);
    std::vector<float> g(f + 1);
    double gsum_bias = 0, lsum = 0;
    std::vector<double> gacc(f, 0.0);
    ForChunks(p, rw, [&](size_t off, size_t n, const float* wt) {
      float* z = Scratch(0, n);
      float* r = Scratch(1, n);
      float* l = Scratch(2, n);
      float* ones = Ones(n);
      const float one = 1, zero = 0;
      const float* x = d.x + off * f;
      cublasSgemv(handle_, CUBLAS_OP_T, f, static_cast<int>(n), &one, x, f, wd, 1, &zero, z, 1);
      LogregResidual<<<Blocks(n), 256, 0, stream_>>>(z, d.y + off, wt, w[f], n, r, l);
      float* gd = Scratch(3, f);
      cublasSgemv(handle_, CUBLAS_OP_N, f, static_cast<int>(n), &one, x, f, r, 1, &zero, gd, 1);
      float rb = 0, ls = 0;
      cublasSdot(handle_, static_cast<int>(n), r, 1, ones, 1, &rb);
      if (loss != nullptr) cublasSdot(handle_, static_cast<int>(n), l, 1, ones, 1, &ls);
      cudaMemcpyAsync(g.data(), gd, f * sizeof(float), cudaMemcpyDeviceToHost, stream_);
      cudaStreamSynchronize(stream_);
      for (uint32_t j = 0; j < f; ++j) gacc[j] += g[j];
      gsum_bias += rb;
      lsum += ls;
    });
    for (uint32_t j = 0; j < f; ++j) grad[j] += gacc[j];
    grad[f] += gsum_bias;
    if (loss != nullptr) *loss += lsum;
    *count += WeightSum(p, rw);
  }

  void Gram(const Partition& p, const float* rw, double* xtx, double* xty, double* yty, double* count) override {
    const uint32_t f = p.features;
    const uint32_t dd = f + 1;
    const Resident& d = Upload(p);
    std::vector<float> g(static_cast<size_t>(dd) * dd), gy(dd);
    ForChunks(p, rw, [&](size_t off, size_t n, const float* wt) {
      float* a = Scratch(0, n * dd);
      float* wy = Scratch(1, n);
      float* wyy = Scratch(2, n);
      float* ww = Scratch(3, n);
      float* c = Scratch(4, static_cast<size_t>(dd) * dd);
      float* cy = Scratch(5, dd);
      const float one = 1, zero = 0;
      WeightedAugment<<<Blocks(n), 256, 0, stream_>>>(d.x + off * f, wt, f, n, a);
      WeightedLabels<<<Blocks(n), 256, 0, stream_>>>(d.y == nullptr ? nullptr : d.y + off, wt, n, wy, wyy, ww);
      cublasSgemm(handle_, CUBLAS_OP_N, CUBLAS_OP_T, dd, dd, static_cast<int>(n), &one, a, dd, a, dd, &zero, c, dd);
      cublasSgemv(handle_, CUBLAS_OP_N, dd, static_cast<int>(n), &one, a, dd, wy, 1, &zero, cy, 1);
      float s_yy = 0, s_w = 0;
      float* ones = Ones(n);
      cublasSdot(handle_, static_cast<int>(n), wyy, 1, ones, 1, &s_yy);
      cublasSdot(handle_, static_cast<int>(n), ww, 1, ones, 1, &s_w);
      cudaMemcpyAsync(g.data(), c, g.size() * sizeof(float), cudaMemcpyDeviceToHost, stream_);
      cudaMemcpyAsync(gy.data(), cy, gy.size() * sizeof(float), cudaMemcpyDeviceToHost, stream_);
      cudaStreamSynchronize(stream_);
      for (size_t j = 0; j < g.size(); ++j) xtx[j] += g[j];
      for (uint32_t j = 0; j < dd; ++j) xty[j] += gy[j];
      *yty += s_yy;
      *count += s_w;
    });
  }

  void KmeansStep(const Partition& p, const float* rw, const float* centres, uint32_t k, double* sums, double* counts,
                  double* inertia) override {
    const uint32_t f = p.features;
    const Resident& d = Upload(p);
    double* acc = static_cast<double*>(ScratchBytes(6, (static_cast<size_t>(k) * (f + 1) + 1) * sizeof(double)));
    cudaMemsetAsync(acc, 0, (static_cast<size_t>(k) * (f + 1) + 1) * sizeof(double), stream_);
    ForChunks(p, rw, [&](size_t off, size_t n, const float* wt) {
      float* d2 = Scratch(1, n);
      int32_t* idx = reinterpret_cast<int32_t*>(Scratch(2, n));
      NearestChunk(d, f, off, n, centres, k, d2, idx);
      Accumulate<<<Blocks(n), 256, 0, stream_>>>(d.x + off * f, wt, idx, d2, f, k, n, acc, acc + static_cast<size_t>(k) * f,
                                                 acc + static_cast<size_t>(k) * (f + 1));
    });
    std::vector<double> host(static_cast<size_t>(k) * (f + 1) + 1);
    cudaMemcpyAsync(host.data(), acc, host.size() * sizeof(double), cudaMemcpyDeviceToHost, stream_);
    cudaStreamSynchronize(stream_);
    for (size_t j = 0; j < static_cast<size_t>(k) * f; ++j) sums[j] += host[j];
    for (uint32_t c = 0; c < k; ++c) counts[c] += host[static_cast<size_t>(k) * f + c];
    *inertia += host.back();
  }

  void MinDistances(const Partition& p, const float* centres, uint32_t k, float* out) override {
    const Resident& d = Upload(p);
    ForChunks(p, nullptr, [&](size_t off, size_t n, const float*) {
      float* d2 = Scratch(1, n);
      NearestChunk(d, p.features, off, n, centres, k, d2, nullptr);
      cudaMemcpyAsync(out + off, d2, n * sizeof(float), cudaMemcpyDeviceToHost, stream_);
      cudaStreamSynchronize(stream_);
    });
  }

  void Assign(const Partition& p, const float* centres, uint32_t k, int32_t* out) override {
    const Resident& d = Upload(p);
    ForChunks(p, nullptr, [&](size_t off, size_t n, const float*) {
      int32_t* idx = reinterpret_cast<int32_t*>(Scratch(2, n));
      NearestChunk(d, p.features, off, n, centres, k, nullptr, idx);
      cudaMemcpyAsync(out + off, idx, n * sizeof(int32_t), cudaMemcpyDeviceToHost, stream_);
      cudaStreamSynchronize(stream_);
    });
  }

  void Margins(const Partition& p, const float* w, float* out) override {
    const uint32_t f = p.features;
    const Resident& d = Upload(p);
    float* wd = Model(w, f + 1);
    ForChunks(p, nullptr, [&](size_t off, size_t n, const float*) {
      float* z = Scratch(0, n);
      const float one = 1, zero = 0;
      cublasSgemv(handle_, CUBLAS_OP_T, f, static_cast<int>(n), &one, d.x + off * f, f, wd, 1, &zero, z, 1);
      AddBias<<<Blocks(n), 256, 0, stream_>>>(z, w[f], n);
      cudaMemcpyAsync(out + off, z, n * sizeof(float), cudaMemcpyDeviceToHost, stream_);
      cudaStreamSynchronize(stream_);
    });
  }

 private:
  struct Resident {
    float* x = nullptr;
    float* y = nullptr;
    size_t bytes = 0;
  };

  static double WeightSum(const Partition& p, const float* rw) {
    if (rw == nullptr) return static_cast<double>(p.rows());
    double s = 0;
    for (size_t i = 0; i < p.rows(); ++i) s += rw[i];
    return s;
  }
  static void Free(Resident& d) {
    if (d.x != nullptr) cudaFree(d.x);
    if (d.y != nullptr) cudaFree(d.y);
  }

  // The partition on the device, uploaded on first use; evicts the oldest when memory is short.
  const Resident& Upload(const Partition& p) {
    auto it = resident_.find(p.id);
    if (it != resident_.end()) return it->second;
    Resident d;
    d.bytes = (p.x.size() + p.y.size()) * sizeof(float);
    while (true) {
      cudaError_t e1 = cudaMalloc(&d.x, std::max<size_t>(1, p.x.size()) * sizeof(float));
      cudaError_t e2 = p.y.empty() ? cudaSuccess : cudaMalloc(&d.y, p.y.size() * sizeof(float));
      if (e1 == cudaSuccess && e2 == cudaSuccess) break;
      cudaGetLastError();
      Free(d);
      d.x = d.y = nullptr;
      if (order_.empty()) throw std::bad_alloc();
      auto victim = resident_.find(order_.front());
      order_.pop_front();
      if (victim != resident_.end()) {
        Free(victim->second);
        resident_.erase(victim);
      }
    }
    cudaMemcpyAsync(d.x, p.x.data(), p.x.size() * sizeof(float), cudaMemcpyHostToDevice, stream_);
    if (!p.y.empty()) cudaMemcpyAsync(d.y, p.y.data(), p.y.size() * sizeof(float), cudaMemcpyHostToDevice, stream_);
    order_.push_back(p.id);
    return resident_.emplace(p.id, d).first->second;
  }

  void* ScratchBytes(int slot, size_t bytes) {
    if (scratch_.size() <= static_cast<size_t>(slot)) {
      scratch_.resize(slot + 1, nullptr);
      scratch_bytes_.resize(slot + 1, 0);
    }
    if (scratch_bytes_[slot] < bytes) {
      if (scratch_[slot] != nullptr) cudaFree(scratch_[slot]);
      if (cudaMalloc(&scratch_[slot], bytes) != cudaSuccess) throw std::bad_alloc();
      scratch_bytes_[slot] = bytes;
    }
    return scratch_[slot];
  }
  float* Scratch(int slot, size_t floats) { return static_cast<float*>(ScratchBytes(slot, std::max<size_t>(1, floats) * sizeof(float))); }

  float* Ones(size_t n) {
    if (ones_n_ < n) {
      std::vector<float> h(n, 1.0f);
      float* o = Scratch(7, n);
      cudaMemcpyAsync(o, h.data(), n * sizeof(float), cudaMemcpyHostToDevice, stream_);
      cudaStreamSynchronize(stream_);
      ones_n_ = n;
    }
    return Scratch(7, n);
  }

  float* Model(const float* w, size_t n) {
    float* d = Scratch(8, n);
    cudaMemcpyAsync(d, w, n * sizeof(float), cudaMemcpyHostToDevice, stream_);
    return d;
  }

  // fn(first row, rows, device row weights of the chunk or null) per chunk.
  template <typename Fn>
  void ForChunks(const Partition& p, const float* rw, Fn&& fn) {
    for (size_t off = 0; off < p.rows(); off += kChunkRows) {
      const size_t n = std::min(kChunkRows, p.rows() - off);
      const float* wt = nullptr;
      if (rw != nullptr) {
        float* w = Scratch(9, n);
        cudaMemcpyAsync(w, rw + off, n * sizeof(float), cudaMemcpyHostToDevice, stream_);
        wt = w;
      }
      fn(off, n, wt);
    }
  }

  void NearestChunk(const Resident& d, uint32_t f, size_t off, size_t n, const float* centres, uint32_t k, float* d2,
                    int32_t* idx) {
    std::vector<float> cn(k);
    for (uint32_t c = 0; c < k; ++c) {
      float s = 0;
      for (uint32_t j = 0; j < f; ++j) s += centres[c * f + j] * centres[c * f + j];
      cn[c] = s;
    }
    float* cd = Scratch(10, static_cast<size_t>(k) * f);
    float* cnd = Scratch(11, k);
    float* dots = Scratch(12, n * std::max<uint32_t>(k, 1));
    cudaMemcpyAsync(cd, centres, static_cast<size_t>(k) * f * sizeof(float), cudaMemcpyHostToDevice, stream_);
    cudaMemcpyAsync(cnd, cn.data(), k * sizeof(float), cudaMemcpyHostToDevice, stream_);
    const float one = 1, zero = 0;
    if (k > 0)
      cublasSgemm(handle_, CUBLAS_OP_T, CUBLAS_OP_N, k, static_cast<int>(n), f, &one, cd, f, d.x + off * f, f, &zero,
                  dots, k);
    Nearest<<<Blocks(n), 256, 0, stream_>>>(d.x + off * f, dots, cnd, f, k, n, d2, idx);
  }

  const int device_;
  const std::string device_name_;
  cudaStream_t stream_ = nullptr;
  cublasHandle_t handle_ = nullptr;
  std::map<uint64_t, Resident> resident_;
  std::list<uint64_t> order_;           // upload order, oldest first
  std::vector<void*> scratch_;
  std::vector<size_t> scratch_bytes_;
  size_t ones_n_ = 0;
};

}  // namespace

bool CudaBuilt() { return true; }

std::unique_ptr<Kernels> MakeCudaKernels(std::string* why) {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
    cudaGetLastError();
    *why = "no CUDA device is present";
    return nullptr;
  }
  cudaDeviceProp prop{};
  cudaGetDeviceProperties(&prop, 0);
  auto k = std::make_unique<CudaKernels>(0, prop.name);
  *why = k->Init();
  if (!why->empty()) return nullptr;
  return k;
}

}  // namespace cairn::ml
