#include "compute/runtime/partitioner.h"

#include <algorithm>
#include <memory>

#include "compute/runtime/hash.h"

namespace cairn::compute {

int HashPartitioner::Partition(std::string_view key) const {
  if (partitions_ <= 1) return 0;
  return static_cast<int>(HashBytes(key) % static_cast<uint64_t>(partitions_));
}

Result<std::unique_ptr<RangePartitioner>> RangePartitioner::Create(std::vector<std::string> bounds, int partitions) {
  if (partitions < 1) return InvalidArgument("{} partitions", partitions);
  if (static_cast<int>(bounds.size()) != partitions - 1)
    return InvalidArgument("range partitioner: {} bounds for {} partitions", bounds.size(), partitions);
  if (!std::is_sorted(bounds.begin(), bounds.end())) return InvalidArgument("range partitioner: bounds out of order");
  return std::unique_ptr<RangePartitioner>(new RangePartitioner(std::move(bounds)));
}

int RangePartitioner::Partition(std::string_view key) const {
  // Number of bounds <= key: keys equal to a bound go to the partition above it.
  auto it = std::upper_bound(bounds_.begin(), bounds_.end(), key,
                             [](std::string_view k, const std::string& b) { return k < std::string_view(b); });
  return static_cast<int>(it - bounds_.begin());
}

std::vector<std::string> ChooseRangeBounds(std::vector<std::string> samples, int partitions) {
  std::vector<std::string> bounds;
  if (partitions <= 1) return bounds;
  std::sort(samples.begin(), samples.end());
  for (int i = 1; i < partitions; ++i) {
    if (samples.empty()) {
      bounds.emplace_back();
      continue;
    }
    size_t at = static_cast<size_t>(static_cast<double>(samples.size()) * i / partitions);
    bounds.push_back(samples[std::min(at, samples.size() - 1)]);
  }
  return bounds;
}

}  // namespace cairn::compute
