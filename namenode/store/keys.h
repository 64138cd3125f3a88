// Key encoding of the namespace in RocksDB (see proto/cairn/namespace.proto):
//   'i' + inode_id (8 bytes big-endian)            -> InodeRecord
//   'd' + parent_id (8 bytes big-endian) + name    -> child inode id (8 bytes big-endian)
//   'm' + name                                     -> a counter (8 bytes big-endian) or a string
// Big-endian ids keep one directory's entries together and sorted by name.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cairn::namenode {

inline constexpr char kInodePrefix = 'i';
inline constexpr char kDirEntryPrefix = 'd';
inline constexpr char kMetaPrefix = 'm';

// Names of 'm' entries.
inline constexpr std::string_view kMetaNextInodeId = "next_inode_id";
inline constexpr std::string_view kMetaNextBlockId = "next_block_id";
inline constexpr std::string_view kMetaGenStamp = "gen_stamp";
inline constexpr std::string_view kMetaBlockPoolId = "block_pool_id";
inline constexpr std::string_view kMetaClusterId = "cluster_id";
inline constexpr std::string_view kMetaDatanodeAdmin = "datanode_admin";  // a DatanodeAdminRecord
inline constexpr std::string_view kMetaDelegationTokens = "delegation_tokens";  // a DelegationTokenStateRecord

std::string InodeKey(uint64_t id);
std::string DirEntryKey(uint64_t parent_id, std::string_view name);
std::string MetaKey(std::string_view name);
std::string EncodeU64(uint64_t v);

// False when the key or value does not have the expected shape.
bool DecodeInodeKey(std::string_view key, uint64_t* id);
bool DecodeDirEntryKey(std::string_view key, uint64_t* parent_id, std::string_view* name);
bool DecodeU64(std::string_view value, uint64_t* v);

}  // namespace cairn::namenode
