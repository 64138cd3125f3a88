// NameSystem: the namenode's components, handed to every operation (HDFS's FSNamesystem
// as a plain bundle of references). The Namenode owns the components; a NameSystem only
// borrows them, so it is cheap to pass around.
//
// Thread-safety: the references are fixed; each component documents its own rules.
#pragma once

#include "common/block_token.h"
#include "namenode/blocks/block_manager.h"
#include "namenode/blocks/datanode_manager.h"
#include "namenode/blocks/placement_policy.h"
#include "namenode/delegation_token_manager.h"
#include "namenode/fs/namespace.h"
#include "namenode/lease_manager.h"
#include "namenode/rpc/proxy_users.h"
#include "namenode/safe_mode.h"
#include "namenode/settings.h"

namespace cairn::namenode {

struct NameSystem {
  const NamenodeSettings& settings;
  Namespace& ns;
  BlockManager& blocks;
  DatanodeManager& datanodes;
  LeaseManager& leases;
  SafeMode& safe_mode;
  const PlacementPolicy& placement;
  BlockKeyRing& block_keys;  // signs the block access tokens of located blocks
  DelegationTokenManager& delegation_tokens;
  const AuthToLocal* auth_to_local;  // kerberos mode: principals to user names; else null
  const ProxyUsers* proxy_users;     // kerberos mode: who may act for whom; else null
};

}  // namespace cairn::namenode
