// Partitioners: which reducer a map output key goes to. HashPartitioner spreads keys by a
// stable hash (the default); RangePartitioner cuts the key space at sorted bounds so that
// partition i holds only keys below those of partition i + 1 (total order, used by sort).
//
// Thread-safety: immutable after construction.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cairn::compute {

class Partitioner {
 public:
  virtual ~Partitioner() = default;
  virtual int Partition(std::string_view key) const = 0;
};

class HashPartitioner final : public Partitioner {
 public:
  explicit HashPartitioner(int partitions) : partitions_(partitions) {}
  int Partition(std::string_view key) const override;

 private:
  const int partitions_;
};

class RangePartitioner final : public Partitioner {
 public:
  // bounds: partitions - 1 keys in non-decreasing order.
  static Result<std::unique_ptr<RangePartitioner>> Create(std::vector<std::string> bounds, int partitions);
  int Partition(std::string_view key) const override;

 private:
  explicit RangePartitioner(std::vector<std::string> bounds) : bounds_(std::move(bounds)) {}
  const std::vector<std::string> bounds_;
};

// partitions - 1 bounds that cut sorted `samples` into equal shares (fewer distinct keys
// than partitions leave some partitions empty).
std::vector<std::string> ChooseRangeBounds(std::vector<std::string> samples, int partitions);

}  // namespace cairn::compute
