// ReadAheadInputStream: an InputStream that reads ahead of its caller.
//
// One background thread reads the wrapped stream sequentially in chunks of chunk_bytes
// and keeps chunks fetched past the caller's position, so the transfer of the next bytes
// from the datanodes overlaps whatever the caller does with the current ones (a FUSE
// reply, a checksum, a disk write). The amount kept ahead starts at one chunk after every
// jump and doubles each time the caller reads a whole chunk in order, up to window_bytes,
// so random readers do not pay for a full window per jump (as the kernel's readahead).
// Read() copies out of those chunks. A Seek inside what is kept (the chunks ahead, one
// chunk behind, or up to one chunk past the fetch frontier) costs nothing; a Seek
// elsewhere restarts the thread there. PRead is served from the chunks when they hold the
// whole range and goes to the wrapped stream otherwise.
//
// An error from the wrapped stream (which already tried every replica) is returned to the
// Read that reaches its offset, once the bytes before it are handed out; a later Seek
// clears it and tries again. Memory: at most window_bytes ahead plus two chunks.
//
// Ownership: owns the wrapped stream and the thread (started by the first Read, joined by
// Close or the destructor).
// Thread-safety: Read/Seek/Close from one thread at a time, as any InputStream; PRead may
// run concurrently with them. The wrapped stream must allow PRead concurrently with Read
// (DfsInputStream does). mu_ guards the chunk list and the positions.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "client/input_stream.h"

namespace cairn::client {

class ReadAheadInputStream : public InputStream {
 public:
  ReadAheadInputStream(std::unique_ptr<InputStream> inner, uint64_t window_bytes, uint32_t chunk_bytes);
  ~ReadAheadInputStream() override;

  Result<size_t> Read(void* buf, size_t n) override;
  Result<size_t> PRead(uint64_t offset, void* buf, size_t n) override;
  Status Seek(uint64_t offset) override;
  uint64_t Tell() const override;
  uint64_t Length() const override;
  Status Close() override;

 private:
  struct Chunk {
    uint64_t offset = 0;
    size_t size = 0;                 // bytes held
    std::unique_ptr<uint8_t[]> buf;  // chunk_bytes_ long
    uint64_t end() const { return offset + size; }
  };
  using ChunkPtr = std::shared_ptr<Chunk>;

  void Worker();
  // Reads up to `want` bytes of the wrapped stream at chunk->offset into the chunk; on an
  // error, chunk->size still counts the bytes read before it.
  Status Fetch(Chunk* chunk, size_t want);
  // After pos_ moved: drop chunks behind, and restart fetching at pos_ when the chunks
  // cannot serve it. Caller holds mu_.
  void Reposition();
  void Restart();                              // caller holds mu_
  ChunkPtr ChunkAt(uint64_t offset) const;     // caller holds mu_
  void Recycle(ChunkPtr chunk);                // caller holds mu_
  ChunkPtr NewChunk();                         // caller holds mu_

  const std::unique_ptr<InputStream> inner_;
  const uint64_t window_bytes_;
  const uint64_t chunk_bytes_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // the worker waits here for room or a restart
  std::condition_variable data_cv_;  // Read waits here for the chunk at pos_
  std::deque<ChunkPtr> chunks_;      // guarded by mu_: contiguous, in offset order, ending at fetch_pos_
  std::vector<ChunkPtr> spare_;      // guarded by mu_: buffers to reuse
  uint64_t end_ = 0;                 // guarded by mu_: the stream's length (less if it ended early)
  uint64_t pos_ = 0;                 // guarded by mu_: the caller's position
  uint64_t fetch_pos_ = 0;           // guarded by mu_: where the worker reads next
  uint64_t ahead_ = 0;               // guarded by mu_: bytes the worker may keep past pos_ now
  uint64_t generation_ = 0;          // guarded by mu_: bumped by every restart
  Status error_;                     // guarded by mu_: failure at fetch_pos_
  bool closing_ = false;             // guarded by mu_
  bool closed_ = false;              // guarded by mu_
  std::thread worker_;               // started by the first Read (under mu_)
};

}  // namespace cairn::client
