// OutputStream: writes one file through a pipeline of datanodes, block by block. Data is
// cut into packets with a CRC32C per 512-byte chunk; packets stream without waiting for
// acks up to a window. Hflush returns once every byte written so far is acknowledged by
// all pipeline nodes (visible to new readers); Hsync additionally asks the datanodes to
// sync to disk; Close completes the file at the namenode.
//
// Thread-safety: one thread at a time.
#pragma once

#include <cstdint>

#include "common/status.h"

namespace cairn::client {

class OutputStream {
 public:
  virtual ~OutputStream() = default;
  virtual Status Write(const void* data, size_t n) = 0;
  virtual Status Hflush() = 0;
  virtual Status Hsync() = 0;
  virtual Status Close() = 0;
  // Bytes written so far (the file's length once closed).
  virtual uint64_t Tell() const = 0;
};

}  // namespace cairn::client
