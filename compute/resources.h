// What a node can offer to compute tasks: CPU slots, memory and GPUs. Probed once at
// start-up; settings may override each figure. GPUs are found through the CUDA runtime
// when Cairn is built with CUDA (CAIRN_HAVE_CUDA), and are absent otherwise.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cairn::compute {

struct GpuInfo {
  int device_id = 0;
  std::string name;
  uint64_t memory_bytes = 0;
};

struct NodeResources {
  uint32_t cpu_slots = 0;
  uint64_t memory_bytes = 0;
  std::vector<GpuInfo> gpus;
};

// Online CPUs, physical memory and visible CUDA devices of this machine.
NodeResources ProbeNodeResources();

// Whether this binary was built with CUDA support.
bool BuiltWithCuda();

}  // namespace cairn::compute
