// A fault seam on the datanode's calls to the namenode (the RPC-client twin of
// disk_faults.h): a NamenodeClient that wraps the real one and, as a plan file says, drops
// a call before it is sent, loses its reply after it took effect, sends it twice or delays
// it. Tests switch it on with the test-only flag --fault_namenode_rpc_plan_file=PATH and
// write or remove PATH while the datanode runs, to show that heartbeats, block reports and
// incremental reports are idempotent and that lost calls are made good by later ones.
//
// The plan file holds one fault per line ('#' starts a comment); CALL is register,
// heartbeat, block_report, block_received, report_bad_blocks, commit_block_sync or *:
//   drop_request CALL   the call is not sent; it fails as unavailable
//   drop_reply CALL     the call is sent and takes effect; its reply is lost (unavailable)
//   duplicate CALL      the call is sent twice; the second reply is returned
//   delay_ms N          every call waits N ms before it is sent
// No file means no faults; lines the parser does not know are logged and ignored.
//
// Thread-safety: as the wrapped client; the plan is read under its own lock.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/watched_file.h"
#include "datanode/nn/namenode_client.h"

namespace cairn::datanode {

enum class NamenodeCall : int {
  kRegister,
  kHeartbeat,
  kBlockReport,
  kBlockReceived,
  kReportBadBlocks,
  kCommitBlockSync,
  kCount
};

struct NamenodeRpcFaultPlan {
  // Bit i of each mask: the fault hits NamenodeCall i.
  unsigned drop_request = 0;
  unsigned drop_reply = 0;
  unsigned duplicate = 0;
  int delay_ms = 0;

  static bool Hits(unsigned mask, NamenodeCall call) { return (mask >> static_cast<int>(call)) & 1u; }
  // Parses the file format above; unknown lines are appended to *ignored (may be null).
  static NamenodeRpcFaultPlan Parse(std::string_view text, std::string* ignored);
};

using NamenodeRpcFaults = WatchedPlan<NamenodeRpcFaultPlan>;

// `inner` with the faults of the plan file at `plan_file` applied to every call.
std::unique_ptr<NamenodeClient> MakeFaultInjectingNamenodeClient(std::unique_ptr<NamenodeClient> inner,
                                                                 const std::string& plan_file);

}  // namespace cairn::datanode
