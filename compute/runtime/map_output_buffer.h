// MapOutputBuffer: where a map task's output goes when the job has reducers. Records are
// appended to one large buffer with a small fixed-size index entry each (partition, an
// 8-byte key prefix, offsets). When the buffer is full, the index is sorted by
// (partition, key), the combiner (if any) runs over each partition's runs of equal keys, and
// the result is spilled to a file in the attempt's directory. Finish() spills the rest and
// merges the spills into the map's output: file.out (one sorted segment per partition) and
// file.out.index (segment.h). One spill needs no merge: it is renamed into place.
//
// No per-record allocation: keys and values are copied once into the buffer; sorting
// moves 24-byte index entries; spills write through a 4 MiB buffer.
//
// Thread-safety: one thread (the map task's) calls Emit and Finish.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "compute/include/cairn/mapreduce.h"
#include "compute/runtime/partitioner.h"
#include "compute/segment.h"
#include "compute/runtime/task_counters.h"

namespace cairn::compute {

using ReducerFactory = std::function<Result<std::unique_ptr<mr::Reducer>>()>;

struct MapOutputOptions {
  int partitions = 1;
  uint64_t buffer_bytes = 192ull << 20;   // records plus their index entries
  std::string dir;                        // spills and the final output go here
  const Partitioner* partitioner = nullptr;  // null: everything to partition 0
  ReducerFactory combiner;                // empty: no combiner
  mr::TaskContext* context = nullptr;     // handed to the combiner's Setup
};

class MapOutputBuffer final : public mr::Emitter {
 public:
  MapOutputBuffer(MapOutputOptions options, TaskCounters* counters);
  ~MapOutputBuffer() override;

  // Buffers one record; on a spill failure later records are dropped and status() says why.
  void Emit(std::string_view key, std::string_view value) override;
  // Spills what is left and writes dir/file.out and dir/file.out.index.
  Status Finish();
  const Status& status() const { return status_; }
  int spills() const { return static_cast<int>(spills_.size()); }

  static std::string OutputFile(const std::string& dir) { return dir + "/file.out"; }
  static std::string IndexFile(const std::string& dir) { return dir + "/file.out.index"; }

 public:
  // One buffered record's index entry (public for the run reader in the .cc).
  struct Entry {
    uint64_t prefix;      // first 8 key bytes, big-endian, zero-padded
    uint32_t partition;
    uint32_t offset;      // of the key in kv_
    uint32_t key_len;
    uint32_t value_len;
  };

 private:
  bool Less(const Entry& a, const Entry& b) const;
  Status Spill();
  // Writes one partition's sorted run [begin, end) of entries_, combining when configured.
  Status WriteRun(SegmentWriter& out, const Entry* begin, const Entry* end, uint64_t* records);
  Status Merge();
  std::string SpillPath(int i) const;
  void Append(uint32_t partition, std::string_view key, std::string_view value);

  const MapOutputOptions options_;
  TaskCounters* const counters_;
  std::unique_ptr<char[]> kv_;
  uint64_t kv_capacity_ = 0;
  uint64_t kv_used_ = 0;
  std::vector<Entry> entries_;
  std::vector<std::vector<PartitionEntry>> spills_;  // per spill, per partition
  Status status_;
};

}  // namespace cairn::compute
