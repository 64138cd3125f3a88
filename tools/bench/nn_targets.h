// NnTarget: what `cairn-bench nn` times its operations against. The same operation list
// runs through libcairn (a FileSystem per thread, every call a real RPC on the door the
// namenode address names: hdfs:// for Hadoop IPC, else gRPC) or in process (the namenode's own operation handlers called directly on a private
// namespace, as Hadoop's NNThroughputBenchmark does), so RPC overhead and namespace cost
// show separately. Both make every mutation durable (synced WAL) before it returns.
//
// Thread-safety: Do and Prepare are called from the benchmark's threads at once, each
// thread with its own index.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "tools/bench/benchmarks.h"

namespace cairn::bench {

enum class NnOp { kCreate, kMkdirs, kGetFileInfo, kDelete, kListing };

class NnTarget {
 public:
  virtual ~NnTarget() = default;
  // Runs one operation as thread `t` on `path` (for getFileInfo: an existing file; for
  // listing: a directory, whose first page is fetched).
  virtual Status Do(NnOp op, int t, const std::string& path) = 0;
  // Makes `dir` with its parents (untimed set-up).
  virtual Status Mkdirs(int t, const std::string& dir) = 0;
  // Removes `dir` and everything below it.
  virtual Status RemoveTree(const std::string& dir) = 0;
  virtual std::string Describe() const = 0;
  // In process only: closes the namespace and loads it again, as a namenode restart does.
  virtual Status Restart() { return Unimplemented("a restart is timed only --in-process"); }
};

// One FileSystem per thread, on the door common's namenode address names.
Result<std::unique_ptr<NnTarget>> ConnectClientTarget(const CommonArgs& common, int threads);
// A namenode in this process over a fresh store under `dir` (removed afterwards), with
// no servers: handlers are called directly.
Result<std::unique_ptr<NnTarget>> OpenInProcessTarget(const std::string& dir);

}  // namespace cairn::bench
