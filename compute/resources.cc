#include "compute/resources.h"

#include <unistd.h>

#include <thread>

#ifdef CAIRN_HAVE_CUDA
#include <cuda_runtime_api.h>
#endif

namespace cairn::compute {

bool BuiltWithCuda() {
#ifdef CAIRN_HAVE_CUDA
  return true;
#else
  return false;
#endif
}

namespace {
std::vector<GpuInfo> ProbeGpus() {
  std::vector<GpuInfo> gpus;
#ifdef CAIRN_HAVE_CUDA
  int count = 0;
  // No driver or no device is a normal answer on CPU-only machines.
  if (cudaGetDeviceCount(&count) != cudaSuccess) return gpus;
  for (int i = 0; i < count; ++i) {
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, i) != cudaSuccess) continue;
    gpus.push_back({i, prop.name, static_cast<uint64_t>(prop.totalGlobalMem)});
  }
#endif
  return gpus;
}
}  // namespace

NodeResources ProbeNodeResources() {
  NodeResources r;
  r.cpu_slots = std::max(1u, std::thread::hardware_concurrency());
  long pages = ::sysconf(_SC_PHYS_PAGES);
  long page_size = ::sysconf(_SC_PAGESIZE);
  if (pages > 0 && page_size > 0) r.memory_bytes = static_cast<uint64_t>(pages) * static_cast<uint64_t>(page_size);
  r.gpus = ProbeGpus();
  return r;
}

}  // namespace cairn::compute
