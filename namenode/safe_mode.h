// SafeMode: the namenode's read-only start-up state (HDFS's BlockManagerSafeMode). After
// start-up the namespace refuses changes (kSafeMode, a retryable code, with a message
// saying how many blocks are reported) until `threshold` of the complete blocks have at
// least one reported replica (at once when there are no blocks; never when threshold > 1),
// plus `extension_ms`. An administrator may enter (manual: only a leave ends it) or leave
// it at any time. Reads are never blocked.
//
// Thread-safety: all functions may be called from any thread; mu_ guards the mode.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "common/status.h"
#include "namenode/blocks/block_manager.h"

namespace cairn::namenode {

class SafeMode {
 public:
  SafeMode(double threshold, int64_t extension_ms, const BlockManager& blocks);

  // Re-evaluates the automatic exit and tells whether safe mode is on.
  bool IsOn();
  // kSafeMode "Cannot <what>. Name node is in safe mode. ..." while on.
  Status CheckWrite(std::string_view what);
  void Enter();
  void Leave();
  // The human-readable state, as `hdfs dfsadmin -safemode get` prints it.
  std::string Describe();

 private:
  enum class Mode { kStartup, kManual, kOff };
  void EvaluateLocked(int64_t now);
  std::string DescribeLocked(int64_t now) const;

  const double threshold_;
  const int64_t extension_ms_;
  const BlockManager& blocks_;
  std::mutex mu_;
  Mode mode_ = Mode::kStartup;  // guarded by mu_
  int64_t reached_ms_ = -1;     // guarded by mu_: when the threshold was first met (monotonic)
};

}  // namespace cairn::namenode
