// Resource accounting of executors for the job master: CPU slots, memory and GPUs. GPUs are
// counted per device in share units (kGpuShareUnits make one device), so that tasks asking
// for a fraction of a GPU share a device with other fractional tasks, and tasks asking for
// whole GPUs get devices nobody else uses. Fractions are packed onto devices already in
// part use (best fit) to keep whole devices free for whole-GPU work.
//
// Thread-safety: pure functions over the job master's model (its mutex held).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cairn/compute.pb.h"
#include "common/status.h"
#include "compute/jobmaster/job.h"

namespace cairn::compute {

inline constexpr int kGpuShareUnits = 1000;

// What a task asks of GPUs: whole devices, or share units of one device.
struct GpuDemand {
  int whole = 0;
  int share = 0;
};
GpuDemand GpuDemandOf(const ComputeResources& r);

// A task's request is whole GPUs or a fraction in (0, 1) of one, never both.
Status ValidateTaskResources(const ComputeResources& r);

// The devices `r` would get on `exec` as it stands now; nullopt when it does not fit.
std::optional<std::vector<int>> PickGpus(const ExecutorInfo& exec, const ComputeResources& r);
// Slots, memory and GPUs all free enough for r now.
bool FitsNow(const ExecutorInfo& exec, const ComputeResources& r);
// Whether an idle executor offering `total` could run r at all.
bool CanEverFit(const ComputeResources& total, const ComputeResources& r);
// Takes r on exec and fills r->gpu_ids with the devices chosen; FitsNow must hold.
void Reserve(ExecutorInfo& exec, ComputeResources* r);
// Gives back what Reserve took (r as Reserve filled it).
void Release(ExecutorInfo& exec, const ComputeResources& r);
// Devices in use, fractional shares summed.
double UsedGpus(const ExecutorInfo& exec);

// "1 slot, 1.0 GiB, 2 GPUs" / "..., 0.25 GPU".
std::string DescribeResources(const ComputeResources& r);

}  // namespace cairn::compute
