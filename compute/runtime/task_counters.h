// The framework counters of one task attempt. The task's working thread updates them; the
// status reporter thread reads them, so each is a single-writer atomic (a plain load and
// store on the writer side, no locked instruction in hot loops).
//
// Thread-safety: one writer thread per field; readers anywhere.
#pragma once

#include <atomic>
#include <cstdint>

#include "compute/counters.h"

namespace cairn::compute {

class SingleWriterCounter {
 public:
  void Add(uint64_t n) { v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  uint64_t Get() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

struct TaskCounters {
  SingleWriterCounter map_input_records;
  SingleWriterCounter map_input_bytes;
  SingleWriterCounter bytes_read_local;
  SingleWriterCounter bytes_read_remote;
  SingleWriterCounter map_output_records;
  SingleWriterCounter map_output_bytes;
  SingleWriterCounter combine_input_records;
  SingleWriterCounter combine_output_records;
  SingleWriterCounter spilled_records;
  SingleWriterCounter shuffle_bytes;
  SingleWriterCounter reduce_input_groups;
  SingleWriterCounter reduce_input_records;
  SingleWriterCounter output_records;
  SingleWriterCounter output_bytes;

  // Adds the non-zero ones to `set` under their names (counters.h).
  void AddTo(CounterSet* set) const;
};

}  // namespace cairn::compute
