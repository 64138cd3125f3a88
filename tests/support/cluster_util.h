// Helpers for integration and fault tests on a MiniCluster: replica files on datanode
// disks (find, damage) and the namenode's view of replication through fsck (whole-file
// writes and reads are in remote_file.h). Header-only test code.
//
// Thread-safety: plain functions; FileSystem calls are thread-safe, the rest touch disks.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cairn/namenode.pb.h"
#include "client/file_system.h"
#include "tests/support/mini_cluster.h"
#include "tests/support/remote_file.h"

namespace cairn::testing {

// The block data file blk_<id> on datanode i's disks; "" when it has none.
inline std::string ReplicaFile(const MiniCluster& c, int i, uint64_t block_id) {
  const std::string name = "blk_" + std::to_string(static_cast<int64_t>(block_id));
  for (const auto& dir : c.datanode_data_dirs(i)) {
    std::error_code ec;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir, ec)) {
      if (e.path().filename() == name) return e.path().string();
    }
  }
  return "";
}

// Generation stamps of the meta files of block_id on datanode i's disks.
inline std::vector<uint64_t> ReplicaStamps(const MiniCluster& c, int i, uint64_t block_id) {
  const std::string prefix = "blk_" + std::to_string(static_cast<int64_t>(block_id)) + "_";
  std::vector<uint64_t> out;
  for (const auto& dir : c.datanode_data_dirs(i)) {
    std::error_code ec;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir, ec)) {
      const std::string name = e.path().filename().string();
      if (name.rfind(prefix, 0) == 0 && name.size() > 5 && name.substr(name.size() - 5) == ".meta")
        out.push_back(std::stoull(name.substr(prefix.size(), name.size() - prefix.size() - 5)));
    }
  }
  return out;
}

// XORs `count` bytes from `offset` of the replica file of block_id on datanode i.
inline bool CorruptReplicaFile(const MiniCluster& c, int i, uint64_t block_id, uint64_t offset, int count = 1) {
  const std::string path = ReplicaFile(c, i, block_id);
  if (path.empty()) return false;
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  for (int k = 0; k < count; ++k) {
    f.seekg(static_cast<std::streamoff>(offset + k));
    char ch = 0;
    if (!f.get(ch)) return false;
    f.seekp(static_cast<std::streamoff>(offset + k));
    f.put(static_cast<char>(ch ^ 0x5a));
  }
  f.flush();
  return static_cast<bool>(f);
}

// Every block of every file under / is HEALTHY with exactly `replicas` good replicas, none
// on `avoid` (a datanode address; "" for none) and none corrupt or decommissioning.
inline bool FullyReplicated(client::FileSystem& fs, size_t replicas, const std::string& avoid = "") {
  auto report = fs.Fsck("/", /*include_blocks=*/true);
  if (!report.ok() || !report->healthy()) return false;
  for (const auto& f : report->files()) {
    if (f.under_construction()) return false;
    for (const auto& b : f.blocks()) {
      if (b.health() != FsckBlock::HEALTHY || static_cast<size_t>(b.replicas_size()) != replicas) return false;
      for (const auto& r : b.replicas()) {
        if (r.datanode() == avoid || r.corrupt() || r.decommissioning()) return false;
      }
    }
  }
  return true;
}

// Where the namenode says the replicas of the blocks of `path` are, block by block.
inline std::vector<std::vector<std::string>> ReplicaHosts(client::FileSystem& fs, const std::string& path) {
  std::vector<std::vector<std::string>> out;
  auto locations = fs.GetBlockLocations(path, 0, 1ull << 50);
  if (!locations.ok()) return out;
  for (const auto& b : *locations) out.push_back(b.hosts);
  return out;
}

}  // namespace cairn::testing
