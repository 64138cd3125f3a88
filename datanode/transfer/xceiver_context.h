// What every DataTransferProtocol op handler needs: the transfer settings and the block
// store. Built once by XceiverServer; handlers get a const reference.
//
// Thread-safety: immutable after construction; the store is thread-safe.
#pragma once

#include <functional>
#include <string>

#include "common/block_token.h"
#include "datanode/store/block_store.h"

namespace cairn::datanode {

struct XceiverOptions {
  std::string bind_host = "127.0.0.1";  // listen address
  int port = 0;                         // 0 picks a free port
  int max_xceivers = 4096;              // concurrent connections; more are refused
  int max_xceivers_per_address = 1024;  // the same, per client IP address
  int socket_timeout_ms = 60000;        // read/write timeout while an op runs; an op's header and
                                        // message must arrive whole within it
  int keepalive_ms = 4000;              // idle wait for the next op on a connection
  int ack_queue_packets = 256;          // write packets written but not yet acknowledged
};

struct XceiverContext {
  XceiverOptions options;
  BlockStore* store = nullptr;
  // Verifies block access tokens; the namenode's keys arrive in heartbeat replies. Null
  // (protocol tests without a namenode): every op is allowed.
  const BlockKeyRing* block_keys = nullptr;
  // Called with a block id when a reader reports a checksum error in what we sent (the
  // block scanner then verifies that replica first). May be empty.
  std::function<void(uint64_t block_id)> suspect;
  // Extra wait per downstream node when reading a mirror's replies, so that the node
  // nearest the failure times out first and names it (HDFS's READ_TIMEOUT_EXTENSION).
  static constexpr int kTimeoutExtensionMs = 5000;
};

}  // namespace cairn::datanode
