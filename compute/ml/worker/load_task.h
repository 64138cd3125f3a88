// RunLoadTask: what an ML job's task does (inside cairn-task): hand its split to the
// job's ML worker on this executor, which reads, parses and caches it, and report the
// worker's address so that the job master sends the job's steps for this partition there.
// The executor starts the worker and names its directory in the task spec
// (ml_worker_dir); the task waits for the worker's address file to appear.
#pragma once

#include "compute/runtime/task_runtime.h"

namespace cairn::ml {

compute::TaskOutcome RunLoadTask(compute::TaskRuntime& rt);

}  // namespace cairn::ml
