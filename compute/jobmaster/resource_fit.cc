#include "compute/jobmaster/resource_fit.h"

#include <cmath>

#include <fmt/format.h>

#include "common/flags.h"

namespace cairn::compute {

GpuDemand GpuDemandOf(const ComputeResources& r) {
  GpuDemand d;
  if (r.gpus() > 0) {
    d.whole = static_cast<int>(r.gpus());
  } else if (r.gpu_fraction() > 0) {
    d.share = std::clamp(static_cast<int>(std::ceil(r.gpu_fraction() * kGpuShareUnits - 1e-6)), 1, kGpuShareUnits);
  }
  return d;
}

Status ValidateTaskResources(const ComputeResources& r) {
  if (r.gpus() > 0 && r.gpu_fraction() != 0)
    return InvalidArgument("a task asks for whole GPUs or a fraction of one, not both");
  if (r.gpu_fraction() < 0 || r.gpu_fraction() >= 1 || std::isnan(r.gpu_fraction()))
    return InvalidArgument("a GPU fraction must be above 0 and below 1, not {}", r.gpu_fraction());
  if (r.gpus() > 4096) return InvalidArgument("{} GPUs per task is too many", r.gpus());
  return Status::OK();
}

namespace {
int UsedUnits(const ExecutorInfo& exec, int id) {
  auto it = exec.gpu_used.find(id);
  return it == exec.gpu_used.end() ? 0 : it->second;
}
}  // namespace

std::optional<std::vector<int>> PickGpus(const ExecutorInfo& exec, const ComputeResources& r) {
  const GpuDemand d = GpuDemandOf(r);
  std::vector<int> picked;
  if (d.whole > 0) {
    for (int id : exec.total.gpu_ids()) {
      if (static_cast<int>(picked.size()) == d.whole) break;
      if (UsedUnits(exec, id) == 0) picked.push_back(id);
    }
    if (static_cast<int>(picked.size()) < d.whole) return std::nullopt;
  } else if (d.share > 0) {
    int best = -1, best_used = -1;
    for (int id : exec.total.gpu_ids()) {
      int used = UsedUnits(exec, id);
      if (used + d.share <= kGpuShareUnits && used > best_used) {
        best = id;
        best_used = used;
      }
    }
    if (best < 0) return std::nullopt;
    picked.push_back(best);
  }
  return picked;
}

bool FitsNow(const ExecutorInfo& exec, const ComputeResources& r) {
  if (exec.used_slots + r.cpu_slots() > exec.total.cpu_slots()) return false;
  if (exec.used_memory + r.memory_bytes() > exec.total.memory_bytes()) return false;
  if (r.gpus() == 0 && r.gpu_fraction() <= 0) return true;
  return PickGpus(exec, r).has_value();
}

bool CanEverFit(const ComputeResources& total, const ComputeResources& r) {
  if (r.cpu_slots() > total.cpu_slots() || r.memory_bytes() > total.memory_bytes()) return false;
  const GpuDemand d = GpuDemandOf(r);
  if (d.whole > 0) return total.gpu_ids_size() >= d.whole;
  if (d.share > 0) return total.gpu_ids_size() > 0;
  return true;
}

void Reserve(ExecutorInfo& exec, ComputeResources* r) {
  r->clear_gpu_ids();
  const GpuDemand d = GpuDemandOf(*r);
  if (d.whole > 0 || d.share > 0) {
    auto ids = PickGpus(exec, *r);
    for (int id : ids.value_or(std::vector<int>())) {
      exec.gpu_used[id] += d.whole > 0 ? kGpuShareUnits : d.share;
      r->add_gpu_ids(id);
    }
  }
  exec.used_slots += r->cpu_slots();
  exec.used_memory += r->memory_bytes();
}

void Release(ExecutorInfo& exec, const ComputeResources& r) {
  exec.used_slots -= std::min(exec.used_slots, r.cpu_slots());
  exec.used_memory -= std::min(exec.used_memory, r.memory_bytes());
  const GpuDemand d = GpuDemandOf(r);
  for (int id : r.gpu_ids()) {
    auto it = exec.gpu_used.find(id);
    if (it == exec.gpu_used.end()) continue;
    it->second -= std::min(it->second, d.whole > 0 ? kGpuShareUnits : d.share);
    if (it->second == 0) exec.gpu_used.erase(it);
  }
}

bool ExecutorInfo::Fits(const ComputeResources& r) const { return FitsNow(*this, r); }

double UsedGpus(const ExecutorInfo& exec) {
  int units = 0;
  for (const auto& [id, used] : exec.gpu_used) units += used;
  return static_cast<double>(units) / kGpuShareUnits;
}

std::string DescribeResources(const ComputeResources& r) {
  std::string out = fmt::format("{} slot{}, {}", r.cpu_slots(), r.cpu_slots() == 1 ? "" : "s", FormatByteSize(r.memory_bytes()));
  if (r.gpus() > 0) out += fmt::format(", {} GPU{}", r.gpus(), r.gpus() == 1 ? "" : "s");
  else if (r.gpu_fraction() > 0) out += fmt::format(", {:g} GPU", r.gpu_fraction());
  return out;
}

}  // namespace cairn::compute
