// Process limits a long-running server sets for itself at start-up. Every namenode client
// connection, datanode transfer and RocksDB table file holds a descriptor; the soft limit
// most systems start processes with (1024) is far below what such a server needs, and
// running out turns into refused connections or, worse, a failed RocksDB write that stops
// every namespace change. Servers raise the soft limit to the hard limit.
//
// Thread-safety: call once from main, before threads start.
#pragma once

#include <cstdint>

namespace cairn {

// Raises RLIMIT_NOFILE's soft limit to its hard limit; returns the soft limit in force
// afterwards (0 when it cannot be read).
uint64_t RaiseFileDescriptorLimit();

}  // namespace cairn
