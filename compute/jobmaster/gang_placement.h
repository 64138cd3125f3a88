// Placement of a whole gang (a barrier job's workers) at once, and the input shards each
// worker gets. The job master calls PlaceGang with its executors as they stand; either every
// worker has a place (and the job master reserves them all at once) or none is started.
//
// Where: executors holding more of the input get workers first; workers spread one per
// executor before an executor takes a second (local_bytes / (workers there + 1) is the
// score), only executors whose free slots, memory and GPUs fit a worker count. Shards: every
// input split goes to a worker on a node holding a replica of it, the least loaded such
// worker, unless that worker would then hold more than an even share plus one split; then
// it goes to the least loaded worker. Ranks are grouped by executor (LOCAL_RANK 0..k-1 on
// each), as torchrun numbers them.
//
// Thread-safety: pure functions over the job master's model (its mutex held).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "cairn/compute.pb.h"
#include "common/status.h"
#include "compute/jobmaster/job.h"

namespace cairn::compute {

struct GangWorker {
  std::string executor_id;
  std::string node;             // the executor's datanode ip:xferPort
  ComputeResources resources;   // what the worker takes there, with its devices
  std::vector<int> splits;      // indexes into the input splits, in file order
  uint64_t local_bytes = 0;     // of its shards, bytes with a replica on its node
  uint64_t bytes = 0;
  int local_rank = 0;           // among the gang's workers on the same executor
  int local_world_size = 0;     // the gang's workers on that executor
  int node_rank = 0;            // the executor's position among the gang's executors
};

// Every worker's place (index = rank), or kResourceExhausted saying why the gang does not
// fit now. n >= 1.
Result<std::vector<GangWorker>> PlaceGang(int n, const ComputeResources& per_worker,
                                          const std::vector<InputSplit>& splits,
                                          const std::map<std::string, ExecutorInfo>& executors);

// How many such workers the executors could hold if idle (counting stops at n).
int GangCapacityWhenIdle(int n, const ComputeResources& per_worker, const std::map<std::string, ExecutorInfo>& executors);

// The host part of "ip:port" or "[v6]:port".
std::string HostOfAddress(const std::string& address);

}  // namespace cairn::compute
