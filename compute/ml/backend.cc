#include "compute/ml/backend.h"

#include <cstdlib>

#include <spdlog/spdlog.h>

namespace cairn::ml {

Result<std::unique_ptr<Kernels>> ChooseKernels(const std::string& backend) {
  if (backend == "cpu") return MakeCpuKernels();
  if (backend == "cuda") {
    std::string why;
    auto k = MakeCudaKernels(&why);
    if (!k) return Unavailable("the CUDA backend is not usable: {}", why);
    return k;
  }
  if (!backend.empty()) return InvalidArgument("unknown ML backend '{}' (cpu or cuda)", backend);
  const char* visible = std::getenv("CUDA_VISIBLE_DEVICES");
  if (CudaBuilt() && visible != nullptr && *visible != '\0') {
    std::string why;
    auto cuda = MakeCudaKernels(&why);
    if (cuda) return cuda;
    spdlog::warn("GPUs {} were given but CUDA is not usable ({}); running on the CPU", visible, why);
  }
  return MakeCpuKernels();
}

}  // namespace cairn::ml
