// reportBadBlocks from a client: the listed replicas failed checksum verification. They
// are never handed out again while a good replica exists, and get replaced.
#include "namenode/ops/ops.h"

namespace cairn::namenode {

Status ReportBadBlocks(NameSystem& nn, const CallContext& caller, const hh::ReportBadBlocksRequestProto& req,
                       hh::ReportBadBlocksResponseProto* resp) {
  for (const auto& lb : req.blocks()) {
    for (const auto& loc : lb.locs()) {
      if (auto node = nn.datanodes.Lookup(loc.id().datanodeuuid())) {
        nn.blocks.MarkCorrupt(lb.b().blockid(), *node, fmt::format("reported by client {}", caller.client_address));
      }
    }
  }
  return Status::OK();
}

}  // namespace cairn::namenode
