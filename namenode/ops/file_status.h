// Building the client-facing views of the namespace: HdfsFileStatusProto for an inode and
// LocatedBlocksProto / LocatedBlockProto for a file's blocks, with every proto2 required
// field filled (stock clients reject replies missing one). Replica locations are sorted
// nearest-first for the caller: same host, then same rack, then the rest (ties shuffled to
// spread load), stale nodes and corrupt replicas last.
//
// Thread-safety: call under the namespace lock (shared is enough); takes the block and
// datanode managers' locks briefly.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <string_view>
#include <vector>

#include "hadoop/hdfs.pb.h"
#include "namenode/fs/inode.h"
#include "namenode/name_system.h"

namespace cairn::namenode {

void FillFileStatus(const Inode& inode, std::string_view local_name, hadoop::hdfs::HdfsFileStatusProto* out);

// Orders replica locations for one caller; build once per request.
// Looks up only the nodes it meets, once each.
class LocationSorter {
 public:
  LocationSorter(const NameSystem& nn, const std::string& client_ip);
  void Sort(std::vector<BlockManager::Location>* locs) const;

 private:
  int Distance(const BlockManager::Location& loc) const;
  const NameSystem& nn_;
  std::string client_ip_;
  std::string client_rack_;
  mutable std::unordered_map<uint32_t, std::optional<NodeView>> nodes_;  // one request's cache
};

// Whom a located block's access token is for, and what it lets them do.
struct BlockTokenGrant {
  std::string_view user;
  uint32_t modes = kBlockRead;
};
// Writers may also copy their block to a datanode added during pipeline recovery.
inline constexpr uint32_t kBlockWriterModes = kBlockWrite | kBlockCopy;

// One block at `offset` with the given locations (in the given order), and a block access
// token for `grant` (the empty token when tokens are off).
void FillLocatedBlock(const NameSystem& nn, const BlockRecord& b, uint64_t offset,
                      const std::vector<BlockManager::Location>& locs, const BlockTokenGrant& grant,
                      hadoop::hdfs::LocatedBlockProto* out);

// The blocks of a file overlapping [offset, offset + length), as getBlockLocations answers;
// their tokens allow reading.
void FillLocatedBlocks(const NameSystem& nn, const Inode& file, uint64_t offset, uint64_t length,
                       const LocationSorter& sorter, std::string_view user, hadoop::hdfs::LocatedBlocksProto* out);

}  // namespace cairn::namenode
