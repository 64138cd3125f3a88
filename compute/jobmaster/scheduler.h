// Task placement: which task of a job an executor with a free slot should run next.
//
// Maps go where their input is, by locality level: node-local (the executor's datanode
// holds a replica of the split's block), rack-local, then anywhere. Delay scheduling
// (Zaharia et al.): a job with no node-local map for an offered slot passes the slot up
// and starts waiting; after locality_wait_node_ms it accepts rack-local slots, after a
// further locality_wait_rack_ms any slot, so no slot stays idle longer than the two waits
// together. A node-local launch ends the wait. A map that cannot be node-local anywhere
// (its replicas are on nodes without an executor, or where it already failed) runs at
// once. A task avoids nodes where one of its attempts failed, unless every live node has
// failed it.
// live_nodes are the nodes whose executor could ever run the job's tasks (GPUs), so a map
// whose replicas are all on nodes without GPUs runs at once elsewhere instead of waiting.
// Reduces run once every map is done, anywhere; the job master spreads them by giving an
// executor one reduce per heartbeat while another executor has room.
// Speculation: when a phase has nothing left to start, a task whose one attempt has run
// longer than speculative_slowness times the median time of the phase's finished tasks
// (and at least speculative_min_ms) gets a backup attempt on another node.
//
// Thread-safety: pure functions over the job master's model (its mutex held).
#pragma once

#include <optional>
#include <set>
#include <string>

#include "compute/jobmaster/job.h"

namespace cairn::compute {

struct SchedulerSettings {
  int locality_wait_node_ms = 1500;
  int locality_wait_rack_ms = 1500;
  bool speculative = true;
  double speculative_slowness = 2.0;
  int speculative_min_ms = 10000;
};

struct Assignment {
  TaskType type = MAP;
  int index = 0;
  Locality locality = NO_PREFERENCE;
  bool speculative = false;
};

// Locality of running `split` on an executor at node/rack.
Locality LocalityOf(const InputSplit& split, const std::string& node, const std::string& rack);

// The next task of `job` for `exec`, or nullopt (nothing suitable now). live_nodes: the
// nodes with a live executor. May start or end the job's locality wait.
std::optional<Assignment> ChooseTask(Job& job, const ExecutorInfo& exec, const std::set<std::string>& live_nodes,
                                     int64_t now_mono_ms, const SchedulerSettings& settings);

}  // namespace cairn::compute
