// The CUDA backend's entry points in a build without CUDA (nvcc was not found).
#include "compute/ml/kernels.h"

namespace cairn::ml {

bool CudaBuilt() { return false; }

std::unique_ptr<Kernels> MakeCudaKernels(std::string* why) {
  *why = "this build of Cairn has no CUDA kernels (nvcc was not found when it was built)";
  return nullptr;
}

}  // namespace cairn::ml
