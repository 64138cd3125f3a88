#include "compute/resources.h"

#include <unistd.h>

#include <algorithm>
#include <thread>

#include "common/parse_number.h"

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

Result<std::vector<GpuInfo>> SelectGpus(const std::vector<GpuInfo>& probed, int count, const std::string& ids) {
  auto probed_device = [&](int id) -> const GpuInfo* {
    for (const auto& g : probed) {
      if (g.device_id == id) return &g;
    }
    return nullptr;
  };
  auto declared = [](int id) { return GpuInfo{id, "configured GPU " + std::to_string(id), 0, true}; };
  std::vector<GpuInfo> out;
  if (!ids.empty()) {
    size_t start = 0;
    while (start <= ids.size()) {
      size_t comma = std::min(ids.find(',', start), ids.size());
      std::string item = ids.substr(start, comma - start);
      start = comma + 1;
      if (item.empty()) continue;
      int id = -1;
      if (!ParseWholeNumber(item, &id) || id < 0 || id > 4095)
        return InvalidArgument("GPU id '{}' is not a device number", item);
      for (const auto& g : out) {
        if (g.device_id == id) return InvalidArgument("GPU id {} is listed twice", id);
      }
      const GpuInfo* found = probed_device(id);
      out.push_back(found != nullptr ? *found : declared(id));
    }
    return out;
  }
  if (count < 0) return probed;
  for (int i = 0; i < count && i < static_cast<int>(probed.size()); ++i) out.push_back(probed[static_cast<size_t>(i)]);
  int next = out.empty() ? 0 : out.back().device_id + 1;
  while (static_cast<int>(out.size()) < count) out.push_back(declared(next++));
  return out;
}

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
