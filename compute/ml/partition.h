// Partition: the rows of one input split in memory, features row-major (rows x F) and,
// when the data has labels, one label per row. Immutable once parsed and shared
// (shared_ptr) between a worker's cache and the steps computing on it. Kept free of
// protobuf and Status so that the CUDA kernels can include it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace cairn::ml {

struct Partition {
  uint64_t id = 0;             // unique in the process (device caches key on it)
  int32_t index = 0;           // the partition's number in its job (its split)
  uint32_t features = 0;
  bool has_label = false;
  std::vector<float> x;        // rows * features
  std::vector<float> y;        // rows (empty without labels)

  size_t rows() const { return features == 0 ? 0 : x.size() / features; }
  size_t bytes() const { return (x.capacity() + y.capacity()) * sizeof(float) + sizeof(*this); }
  const float* row(size_t i) const { return x.data() + i * features; }
};

// A fresh process-unique partition id.
uint64_t NextPartitionId();

}  // namespace cairn::ml
