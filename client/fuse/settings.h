// FuseSettings: everything cairn-fuse is told on its command line, one field per setting
// with its default. Flags carry the component and unit (`--fuse_attr_timeout_ms`); the
// same settings can be given as mount options (`-o attr_timeout_ms=500`), which is what
// /etc/fstab lines use; see options.h.
//
// Thread-safety: plain value; filled once at start-up, read-only afterwards.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/flags.h"
#include "common/logging.h"

namespace cairn::fuse {

struct FuseSettings {
  std::string mountpoint;               // the one positional argument
  std::string namenode;                 // host:port of the namenode's gRPC front door; empty: $CAIRN_NAMENODE
  std::string user;                     // non-empty: every caller acts as this user (no uid mapping)
  bool foreground = false;              // -f: stay in the foreground (default: detach once mounted)
  bool debug = false;                   // -d: libfuse's request trace on stderr; implies -f
  bool single_thread = false;           // -s: serve one request at a time
  int max_threads = 16;                 // worker threads serving requests
  int attr_timeout_ms = 1000;           // kernel and userspace attribute cache lifetime
  int entry_timeout_ms = 1000;          // kernel name-lookup cache lifetime
  int negative_timeout_ms = 0;          // kernel cache of "no such file" answers (0: none)
  ByteSize readahead{8 << 20};          // bytes a reader keeps fetched ahead (0: none)
  ByteSize readahead_chunk{1 << 20};    // unit of those fetches
  ByteSize max_write{1 << 20};          // largest write request the kernel sends (at most 1 MiB)
  int attr_cache_entries = 100000;      // userspace attribute cache size
  int rpc_timeout_ms = 60000;           // per namenode call
  int rpc_retry_ms = 30000;             // retry retryable namenode errors (unreachable, safe mode) this long
  int socket_timeout_ms = 60000;        // datanode reads and writes
  std::vector<std::string> fuse_options;  // -o options for libfuse and the kernel (allow_other, ro, ...)
  LogSettings log;
};

// Registers every field above that is a flag.
void AddFuseFlags(FlagSet& flags, FuseSettings* settings);

}  // namespace cairn::fuse
