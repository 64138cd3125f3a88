// Merging sorted record sources and running reducers over them.
//
// MergingSource merges any number of key-sorted RecordSources into one (a binary heap on
// the current keys; equal keys come out in source order). RunGroupedReduce feeds a sorted
// source to a Reducer, one Reduce call per distinct key with an iterator over that key's
// values, without copying values (only the current key is kept, in a reused buffer).
//
// Thread-safety: each object belongs to one thread.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "compute/include/cairn/mapreduce.h"
#include "compute/segment.h"

namespace cairn::compute {

class MergingSource final : public RecordSource {
 public:
  // The sources are not owned and must outlive the merger.
  explicit MergingSource(std::vector<RecordSource*> sources);

  bool Next(std::string_view* key, std::string_view* value) override;
  Status status() const override { return status_; }

 private:
  struct Head {
    std::string_view key;
    std::string_view value;
  };
  bool Greater(int a, int b) const;
  // Reads the next record of source i into the heap (or drops the source at its end).
  bool Advance(int i);

  std::vector<RecordSource*> sources_;
  std::vector<Head> heads_;
  std::vector<int> heap_;   // source indices, smallest key at the front
  int last_ = -1;           // source whose record was handed out last; advanced on the next call
  bool started_ = false;
  Status status_;
};

struct ReduceStats {
  uint64_t groups = 0;
  uint64_t records = 0;
};

// Calls reducer.Reduce once per distinct key of `in` (which must be sorted). `stop` is
// polled between groups (a failing task stops early). Returns the source's error if any.
Status RunGroupedReduce(RecordSource& in, mr::Reducer& reducer, mr::Emitter& out, ReduceStats* stats,
                        const std::function<bool()>& stop = {});

}  // namespace cairn::compute
