// The VERSION file of a data directory (current/VERSION), in HDFS's properties format:
//   storageID=DS-<uuid>, datanodeUuid=<uuid>, clusterID=..., blockPoolID=..., cTime, layoutVersion
// It names the volume (storage id) and the datanode it belongs to; clusterID and
// blockPoolID are filled in once the namenode has told them.
//
// Thread-safety: pure functions; callers serialise writes of one file.
#pragma once

#include <optional>
#include <string>

#include "common/status.h"

namespace cairn::datanode {

struct StorageVersion {
  std::string storage_id;     // "DS-<uuid>"
  std::string datanode_uuid;
  std::string cluster_id;     // empty until known
  std::string block_pool_id;  // empty until known
  int64_t ctime = 0;
  int layout_version = -57;   // HDFS 3.x datanode layout
};

// nullopt when the file does not exist; kCorruption when it cannot be parsed.
Result<std::optional<StorageVersion>> ReadStorageVersion(const std::string& path);
// Writes path.tmp, syncs it and renames it over path.
Status WriteStorageVersion(const std::string& path, const StorageVersion& version);

// A random (version 4) UUID in its 36-character text form.
std::string NewUuid();

}  // namespace cairn::datanode
