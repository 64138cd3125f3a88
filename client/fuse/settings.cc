#include "client/fuse/settings.h"

namespace cairn::fuse {

void AddFuseFlags(FlagSet& flags, FuseSettings* s) {
  flags.Add("namenode", &s->namenode, "namenode: hdfs://HOST:PORT (Hadoop IPC door) or HOST:PORT (gRPC door); default $CAIRN_NAMENODE");
  flags.Add("fuse_user", &s->user, "act as this user for every caller instead of mapping each caller's uid");
  flags.Add("fuse_max_threads", &s->max_threads, "threads serving requests");
  flags.Add("fuse_attr_timeout_ms", &s->attr_timeout_ms, "how long attributes are cached (kernel and cairn-fuse)");
  flags.Add("fuse_entry_timeout_ms", &s->entry_timeout_ms, "how long name lookups are cached by the kernel");
  flags.Add("fuse_negative_timeout_ms", &s->negative_timeout_ms, "how long 'no such file' answers are cached");
  flags.Add("fuse_readahead_bytes", &s->readahead, "bytes each reader keeps fetched ahead of its position (0: none)");
  flags.Add("fuse_readahead_chunk_bytes", &s->readahead_chunk, "unit of read-ahead fetches");
  flags.Add("fuse_max_write_bytes", &s->max_write, "largest write request taken from the kernel (4KiB..1MiB)");
  flags.Add("fuse_attr_cache_entries", &s->attr_cache_entries, "attributes kept in cairn-fuse's own cache");
  flags.Add("fuse_rpc_timeout_ms", &s->rpc_timeout_ms, "deadline of one namenode call");
  flags.Add("fuse_rpc_retry_ms", &s->rpc_retry_ms, "how long namenode calls retry while it is unreachable or in safe mode");
  flags.Add("fuse_socket_timeout_ms", &s->socket_timeout_ms, "datanode read and write timeout");
}

}  // namespace cairn::fuse
