// Block access tokens (HDFS's BlockTokenSecretManager). The namenode signs a token for
// every block it hands out; datanodes check it before READ_BLOCK, WRITE_BLOCK,
// BLOCK_CHECKSUM and TRANSFER_BLOCK. A token names one block, a user, the access modes it
// allows and an expiry; its password is HMAC-SHA256 over the identifier's bytes with the
// key the identifier names. BlockKeyRing holds those keys: the namenode's ring makes and
// rolls them (RollIfDue), a datanode's ring adopts what the namenode exports (Adopt) and
// signs only the tokens of its own datanode-to-datanode copies.
//
// Thread-safety: BlockKeyRing is thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "cairn/block_token.pb.h"
#include "common/status.h"
#include "hadoop/Security.pb.h"

namespace cairn {

// Access modes, as a bit mask (Hadoop's AccessMode).
enum BlockAccess : uint32_t {
  kBlockRead = 1u << 0,
  kBlockWrite = 1u << 1,
  kBlockCopy = 1u << 2,
  kBlockReplace = 1u << 3,
};
std::string BlockAccessNames(uint32_t modes);

inline constexpr std::string_view kBlockTokenKind = "HDFS_BLOCK_TOKEN";

struct BlockKeyRingOptions {
  bool tokens_enabled = true;
  int64_t key_update_interval_ms = 10LL * 3600 * 1000;  // a new signing key this often
  int64_t token_lifetime_ms = 10LL * 3600 * 1000;       // a token is valid this long
};

class BlockKeyRing {
 public:
  BlockKeyRing() = default;
  explicit BlockKeyRing(BlockKeyRingOptions options) : options_(options) {}

  // Namenode: makes the first key, and a new one once the current is older than the
  // update interval; forgets expired keys. A key outlives the last token it signed.
  void RollIfDue(int64_t now_ms);
  // Datanode: takes the namenode's keys and settings in place of its own.
  void Adopt(const BlockKeysProto& keys);
  BlockKeysProto Export() const;
  uint64_t version() const;
  bool tokens_enabled() const;

  // A token for one block, signed with the current key. Without a key (a datanode not yet
  // registered) or with tokens off, the empty token.
  hadoop::common::TokenProto Issue(std::string_view user, std::string_view block_pool_id, uint64_t block_id,
                                   uint32_t modes, int64_t now_ms) const;
  // OK when tokens are off, or the token is well formed, signed by a key we hold, names
  // this block and allows `mode`, and has not expired. Else kPermissionDenied saying why.
  Status Check(const hadoop::common::TokenProto& token, uint64_t block_id, uint32_t mode, int64_t now_ms) const;

 private:
  mutable std::mutex mu_;
  BlockKeyRingOptions options_;
  std::map<uint32_t, BlockKeyProto> keys_;  // by key id
  uint32_t current_key_id_ = 0;
  int64_t current_created_ms_ = 0;
  uint64_t version_ = 0;
};

// The empty token (what HDFS sends when tokens are off).
hadoop::common::TokenProto EmptyBlockToken();
// The identifier inside a token; kInvalidArgument when it does not parse.
Result<BlockTokenIdentifierProto> DecodeBlockToken(const hadoop::common::TokenProto& token);

}  // namespace cairn
