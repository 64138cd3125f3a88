// What a node can offer to compute tasks: CPU slots, memory and GPUs. Probed once at
// start-up; settings may override each figure. GPUs are found through the CUDA runtime
// when Cairn is built with CUDA (CAIRN_HAVE_CUDA), and are absent otherwise; SelectGpus
// applies an executor's GPU settings (a count, or exact device ids) to what was probed,
// declaring devices the probe did not find (machines without CUDA, tests).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace cairn::compute {

struct GpuInfo {
  int device_id = 0;
  std::string name;
  uint64_t memory_bytes = 0;
  bool configured = false;  // declared by settings, not found by the probe
};

struct NodeResources {
  uint32_t cpu_slots = 0;
  uint64_t memory_bytes = 0;
  std::vector<GpuInfo> gpus;
};

// Online CPUs, physical memory and visible CUDA devices of this machine.
NodeResources ProbeNodeResources();

// The GPUs to offer. ids (comma-separated device ids, e.g. "0,2"), when not empty, names
// the exact devices: probed ones keep their name and memory, the others are declared.
// Otherwise count >= 0 takes the first count probed devices and declares ids after them
// when the probe found fewer; count < 0 offers what was probed. Bad ids: kInvalidArgument.
Result<std::vector<GpuInfo>> SelectGpus(const std::vector<GpuInfo>& probed, int count, const std::string& ids);

// Whether this binary was built with CUDA support.
bool BuiltWithCuda();

}  // namespace cairn::compute
