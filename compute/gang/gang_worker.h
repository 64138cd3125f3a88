// RunGangWorker: what cairn-task does for one worker of a gang (barrier) job. The job master
// placed the worker next to its input shards and put the gang's environment (RANK,
// WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT, TF_CONFIG, ...) into the TaskSpec; the
// executor gave it CUDA_VISIBLE_DEVICES for its own GPUs.
//
// Before the command starts, every shard gets a local file holding exactly its bytes: a
// replica on this node is used in place (its checksums verified first, so a corrupt replica
// is never handed over), anything else is fetched through the client into shards/ in the
// working directory. The command (`/bin/sh -c`, in the working directory) then gets:
//   CAIRN_INPUT_SPLITS       JSON array, one object per shard in file order:
//                            {"path", "start", "length", "file", "local"}; "file" holds the
//                            shard's bytes from offset 0 ("local": a replica read in place)
//                            ("@<file>" instead when the list is too long for the environment)
//   CAIRN_INPUT_SPLITS_FILE  the same JSON in a file
//   CAIRN_OUTPUT_DIR         (jobs with --output) a local directory; what the command leaves
//                            there becomes <output>/rank-NNNNN once the whole gang succeeded
//   CAIRN_NAMENODE, CAIRN_JOB_ID, CAIRN_ATTEMPT_ID and the job's params.
// The command's stdout and stderr go to the attempt's logs; exit code 0 is success.
//
// Thread-safety: called once, from the task's main thread.
#pragma once

#include "compute/runtime/task_runtime.h"

namespace cairn::compute {

TaskOutcome RunGangWorker(TaskRuntime& rt);

}  // namespace cairn::compute
