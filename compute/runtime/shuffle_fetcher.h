// ShuffleFetcher: the copy phase of a reduce task. For every map of the job it gets this
// reducer's partition of that map's output: straight from the map's output file when the
// map ran on this executor (the executor filled MapOutputLocation.local_dir), otherwise
// over gRPC from the executor that holds it (Shuffle.FetchMapOutput, streamed in 1 MiB
// chunks into a file of the attempt's directory). Fetches run on a few threads; each is
// retried with backoff, and a map whose output cannot be had is reported (the job master
// then runs that map again).
//
// gRPC rather than HTTP: the executors already serve and call gRPC, which brings flow
// control, deadlines and connection reuse; no second server per datanode.
//
// Thread-safety: FetchAll runs its own threads and returns when they are done.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cairn/compute.pb.h"
#include "common/status.h"
#include "compute/runtime/task_counters.h"

namespace cairn::compute {

struct FetchedSegment {
  int map_index = 0;
  std::string path;    // a local file holding the segment, or empty when it is in memory
  std::shared_ptr<std::string> data;  // the segment, when fetched into memory
  uint64_t offset = 0;
  uint64_t length = 0;
  uint64_t records = 0;
};

struct ShuffleOptions {
  int parallel_fetches = 4;
  int attempts = 4;            // per map output
  int retry_backoff_ms = 500;  // doubled after each failed attempt
  int rpc_timeout_ms = 300000;
  uint64_t memory_bytes = 256ull << 20;  // fetched segments kept in memory, in all
};

class ShuffleFetcher {
 public:
  ShuffleFetcher(const TaskSpec& spec, std::string work_dir, ShuffleOptions options, TaskCounters* counters);

  // The segments of this reducer's partition, one per map with data. Maps whose output
  // could not be fetched go to *failed_maps and make the call fail. on_progress(done) is
  // called as maps complete (from the fetch threads).
  Result<std::vector<FetchedSegment>> FetchAll(std::vector<int>* failed_maps,
                                               const std::function<void(int done)>& on_progress);

 private:
  Result<FetchedSegment> FetchOne(const MapOutputLocation& loc);
  Result<FetchedSegment> FetchLocal(const MapOutputLocation& loc);
  Result<FetchedSegment> FetchRemote(const MapOutputLocation& loc);

  const TaskSpec& spec_;
  const std::string work_dir_;
  const ShuffleOptions options_;
  TaskCounters* const counters_;
  std::atomic<uint64_t> memory_left_;
};

}  // namespace cairn::compute
