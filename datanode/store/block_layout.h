// Where a replica's files live inside one data directory (a volume), as HDFS lays them out:
//   <dir>/current/VERSION
//   <dir>/current/finalized/subdir<A>/subdir<B>/blk_<id>, blk_<id>_<genstamp>.meta
//       with A = (id >> 16) & 0x1F and B = (id >> 8) & 0x1F
//   <dir>/current/rbw/      replicas being written
//   <dir>/current/tmp/      temporary replicas of transfers (dropped on restart)
// Block ids print as signed 64-bit numbers, like Java's long.
//
// Thread-safety: pure functions, except MoveReplicaFiles which renames on disk.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace cairn::datanode {

std::string CurrentDir(const std::string& volume_root);
std::string FinalizedRoot(const std::string& volume_root);
std::string FinalizedDir(const std::string& volume_root, uint64_t block_id);
std::string RbwDir(const std::string& volume_root);
std::string TmpDir(const std::string& volume_root);

std::string BlockFileName(uint64_t block_id);                      // blk_<id>
std::string MetaFileName(uint64_t block_id, uint64_t gen_stamp);   // blk_<id>_<gs>.meta
bool ParseBlockFileName(std::string_view name, uint64_t* block_id);
bool ParseMetaFileName(std::string_view name, uint64_t* block_id, uint64_t* gen_stamp);

// How durable a move must be. kDurable fsyncs the directories it changed (to_dir, the
// directories it had to create and their parents, from_dir) so the new names survive a
// power cut; kVolatile leaves that to the kernel's writeback.
enum class MoveDurability { kVolatile, kDurable };

// Renames a replica's meta file (to its new generation stamp) and then its data file from
// from_dir to to_dir, creating to_dir when missing. Meta goes first: a crash in between
// leaves the meta where the replica now belongs, and the start-up scan moves the data file
// after it.
Status MoveReplicaFiles(const std::string& from_dir, const std::string& to_dir, uint64_t block_id,
                        uint64_t old_gen_stamp, uint64_t new_gen_stamp,
                        MoveDurability durability = MoveDurability::kVolatile);

// fdatasync of a replica's data and meta files, opened by path (for replicas no writer
// holds open, such as one a block recovery finalizes).
Status SyncReplicaFiles(const std::string& dir, uint64_t block_id, uint64_t gen_stamp);

// The directory an absolute path is in ("/" for "/x").
std::string ParentDir(const std::string& path);

// fsync of a directory, so the names created, renamed or removed in it are durable.
Status SyncDir(const std::string& dir);

// mkdir -p.
Status MakeDirs(const std::string& path);

}  // namespace cairn::datanode
