// BlockReader: reads one byte range of one block replica from a datanode with
// OP_READ_BLOCK and verifies every chunk's checksum on the way.
//
// The datanode answers with the checksum type and the chunk-aligned offset its first
// packet starts at, then streams packets up to an empty lastPacketInBlock packet. Read()
// hands out the requested bytes only: the leading bytes before the requested offset and
// the tail of the last chunk are dropped. A packet that fits the caller's buffer and
// needs no trimming is received straight into it (no intermediate copy); others go
// through one reusable packet buffer. Once the range is consumed the reader takes the
// trailing packet and answers CHECKSUM_OK, as HDFS readers do.
//
// Errors name the block and the datanode: kChecksumMismatch for bad data, kUnavailable/
// kTimedOut for connection trouble, the datanode's error otherwise.
//
// Thread-safety: one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/checksum.h"
#include "common/socket.h"
#include "common/status.h"
#include "hadoop/datatransfer.pb.h"

namespace cairn::client {

namespace hh = hadoop::hdfs;

struct BlockReaderOptions {
  std::string client_name;
  int socket_timeout_ms = 60000;
  int socket_buffer_bytes = 0;  // 0: kernel default
};

class BlockReader {
 public:
  // Connects to `node` and asks for [offset, offset + len) of `block`.
  // `token` is the block access token the namenode gave with the block's location.
  static Result<std::unique_ptr<BlockReader>> Open(const hh::ExtendedBlockProto& block,
                                                   const hadoop::common::TokenProto& token,
                                                   const hh::DatanodeIDProto& node, uint64_t offset, uint64_t len,
                                                   const BlockReaderOptions& options);

  // Up to n bytes of the range; 0 once it is exhausted.
  Result<size_t> Read(void* buf, size_t n);
  // Reads n bytes and drops them (n <= remaining()).
  Status Skip(uint64_t n);

  uint64_t position() const { return pos_; }        // block offset of the next byte
  uint64_t remaining() const { return end_ - pos_; }
  const std::string& node() const { return node_; }

 private:
  BlockReader(Socket socket, std::string block_name, std::string node);
  // Receives the next packet: header and checksums, and the data either into `direct`
  // (when not null and it fits) or into data_buf_.
  Status NextPacket(uint8_t* direct, size_t direct_room, bool* went_direct);
  // After the last requested byte: consume up to the last packet and send CHECKSUM_OK.
  void Finish();
  Status Err(Status st) const;  // adds block and node to a message

  Socket socket_;
  BufferedReader in_;
  const std::string block_name_;
  const std::string node_;
  ChecksumType checksum_type_ = ChecksumType::kCrc32c;
  uint32_t bytes_per_checksum_ = kDefaultBytesPerChecksum;

  uint64_t pos_ = 0;          // next byte the caller gets
  uint64_t end_ = 0;          // end of the requested range
  uint64_t next_packet_ = 0;  // block offset the next packet must start at
  bool last_seen_ = false;    // the lastPacketInBlock packet was received

  hh::PacketHeaderProto header_;
  std::vector<uint8_t> checksum_buf_;
  std::vector<uint8_t> data_buf_;
  size_t buf_begin_ = 0;  // unread verified bytes of data_buf_ that the caller wants
  size_t buf_end_ = 0;
};

}  // namespace cairn::client
