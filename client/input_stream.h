// InputStream: reads one file. Picks the nearest replica of each block (local node, then
// local rack, then any), verifies every chunk's checksum, and on a checksum or connection
// error reports the bad replica to the namenode and retries the next one. Positional
// reads (PRead) do not move the stream position.
//
// Thread-safety: one thread at a time; PRead may be called concurrently with itself.
#pragma once

#include <cstdint>

#include "common/status.h"

namespace cairn::client {

class InputStream {
 public:
  virtual ~InputStream() = default;
  // Reads up to n bytes at the current position; 0 at end of file.
  virtual Result<size_t> Read(void* buf, size_t n) = 0;
  // Reads up to n bytes at offset without moving the position; 0 at or past end of file.
  virtual Result<size_t> PRead(uint64_t offset, void* buf, size_t n) = 0;
  virtual Status Seek(uint64_t offset) = 0;
  virtual uint64_t Tell() const = 0;
  virtual uint64_t Length() const = 0;
  virtual Status Close() = 0;
};

}  // namespace cairn::client
