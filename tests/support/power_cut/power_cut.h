// A simulated power cut for daemons that ran under the power-cut layer (preload.cc,
// loaded with LD_PRELOAD): once every such process has been stopped and killed,
// ApplyPowerCut replays their journals (journal.h) and puts their storage back to what
// had reached stable storage, as leveldb's FaultInjectionTestEnv does:
//   - every directory under a root gets back the entries of its last fsync (or of the
//     process's start): names made since are removed, names removed since come back
//     from the graveyard, and a directory never synced into its parent goes with all
//     it holds;
//   - every file is cut to the size of its last fsync/fdatasync (files made and never
//     synced become empty).
// Known limit (leveldb's too): bytes overwritten inside the synced size after the last
// sync keep their new value.
//
// Thread-safety: run it with no process of the journals alive.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"

namespace cairn::testing {

struct PowerCutReport {
  int journals = 0;
  uint64_t bytes_dropped = 0;     // unsynced bytes cut off files
  int files_truncated = 0;
  int names_removed = 0;          // entries made after their directory's last sync
  int names_restored = 0;         // entries removed after it, back from the graveyard
  int names_lost = 0;             // durable names whose file was gone (should be 0)
  std::vector<std::string> removed;  // the paths behind names_removed
  std::string ToString() const;
};

// The environment that puts a daemon under the layer, with its journal in `state_dir`:
// LD_PRELOAD, and the flags whose values are its storage roots.
std::vector<std::pair<std::string, std::string>> PowerCutEnvironment(const std::string& state_dir);

// Replays and then removes every journal and the graveyard in `state_dir`.
Result<PowerCutReport> ApplyPowerCut(const std::string& state_dir);

class MiniCluster;
// Sets PowerCutEnvironment in this process: every daemon started from now on (and so a
// MiniCluster started next, formatting included) runs under the layer.
void EnterPowerCutLayer(const std::string& state_dir);
// Puts a running cluster's namenode and datanodes under the layer (EnterPowerCutLayer,
// then restarting them).
Status StartUnderPowerCutLayer(MiniCluster& cluster, const std::string& state_dir);
// The cut itself: every daemon stopped at one instant (SIGSTOP), then killed; then
// ApplyPowerCut, and every daemon started again (waiting for the datanodes to register).
// `at_cut` runs right after the instant of the cut (e.g. telling writers to stop).
Result<PowerCutReport> CutPower(MiniCluster& cluster, const std::string& state_dir,
                                const std::function<void()>& at_cut = {});
// Unsets PowerCutEnvironment in this process.
void LeavePowerCutLayer();

}  // namespace cairn::testing
