// A fault seam under the namespace store (leveldb's fault Env is the model): a RocksDB Env
// whose writable files fail every Sync/Fsync with an I/O error while a trigger file
// exists. Tests switch it on with the test-only flag --fault_namespace_sync_fail_file=PATH
// and create or remove PATH to start and stop the failure, to show that a namenode whose
// write-ahead log cannot be synced refuses the change, shuts down, and loses nothing it
// acknowledged.
//
// Thread-safety: RocksDB calls it from its own threads; the trigger is a stat() per sync.
#pragma once

#include <memory>
#include <string>

#include <rocksdb/env.h>

namespace cairn::namenode {

std::unique_ptr<rocksdb::Env> NewSyncFaultEnv(const std::string& trigger_file);

}  // namespace cairn::namenode
