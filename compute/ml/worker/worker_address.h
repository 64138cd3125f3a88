// Where an ML job's worker on one node listens: the Unix socket worker.sock in its own
// directory, which only its account and the executor (root) can reach. Its job's load
// tasks dial it there; the job master's steps come through the executor
// (compute/executor/ml_proxy.h). Nothing of the worker is on the network.
#pragma once

#include <string>

namespace cairn::ml {

inline std::string MlWorkerAddress(const std::string& dir) { return "unix:" + dir + "/worker.sock"; }

}  // namespace cairn::ml
