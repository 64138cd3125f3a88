// SplitInput: the bytes a map task reads, as one sequential stream from the start of its
// split to the end of the file (record readers stop shortly after the split's end, once
// the record that crosses it is complete).
//
// Inside the split's block, when the executor found a local replica, bytes come straight
// from the block file (LocalBlockFile: short-circuit, checksums verified here) and count
// as bytes_read_local. Everything else (a split without a local replica, the tail of the
// last record in the next block, or the rest of a block whose local read failed) comes
// through the client library from a datanode and counts as bytes_read_remote. Past the
// split's end reads are small (64 KiB): only the crossing record is wanted.
//
// Thread-safety: one thread.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "cairn/compute.pb.h"
#include "client/file_system.h"
#include "compute/runtime/local_block.h"
#include "compute/runtime/record_reader.h"
#include "compute/runtime/task_counters.h"

namespace cairn::compute {

using FileSystemProvider = std::function<Result<client::FileSystem*>()>;

class SplitInput final : public ByteSource {
 public:
  SplitInput(InputSplit split, FileSystemProvider fs, TaskCounters* counters);
  ~SplitInput() override;

  // Up to n bytes at position(); 0 at the end of the file.
  Result<size_t> Read(char* buf, size_t n) override;
  SplitRange range() const { return {split_.path(), split_.start(), split_end()}; }
  uint64_t position() const { return pos_; }
  const InputSplit& split() const { return split_; }
  uint64_t split_end() const { return split_.start() + split_.length(); }

 private:
  Result<size_t> ReadLocal(char* buf, size_t n);
  Result<size_t> ReadRemote(char* buf, size_t n);

  const InputSplit split_;
  FileSystemProvider fs_;
  TaskCounters* const counters_;
  uint64_t pos_;
  std::unique_ptr<LocalBlockFile> local_;
  bool local_tried_ = false;
  std::vector<char> chunk_;   // one checksum chunk, for reads that do not start on a chunk
  std::unique_ptr<client::InputStream> remote_;
};

}  // namespace cairn::compute
