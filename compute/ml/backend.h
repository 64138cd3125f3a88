// ChooseKernels: the kernel backend for this process (see kernels.h).
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "compute/ml/kernels.h"

namespace cairn::ml {

// backend: "" (CUDA when built, given GPUs by CUDA_VISIBLE_DEVICES and a device is
// present; else CPU), "cpu" or "cuda" (an error when no device can be used).
Result<std::unique_ptr<Kernels>> ChooseKernels(const std::string& backend);

}  // namespace cairn::ml
