// WriteHandle: a file opened for writing through the mount (create, O_WRONLY, O_RDWR,
// O_APPEND). Cairn files follow HDFS: bytes are only ever added at the end, by one writer.
//
//   write at the end          goes to the output stream (opened by create, or by append()
//                             at the first write of a file that already existed)
//   write past the end        the gap is filled with zeros (what a hole would read as)
//   write inside the file     kUnimplemented (EOPNOTSUPP); the stream and the file are
//                             untouched, so nothing already written can be corrupted
//   O_APPEND                  every write goes to the end, whatever offset the kernel sent
//   flush (each close(2))     completes the file (all bytes acknowledged by every replica,
//                             file closed at the namenode): close(2) returning means the
//                             file is complete for every reader, even though the kernel
//                             sends release later; a later write through another
//                             descriptor of the same open file appends again
//   fsync                     hsync of the open stream
//   truncate                  to the current length: nothing; longer: zeros appended;
//                             shorter: the file is completed, then cut by the namenode
//                             (to 0 or a block boundary; elsewhere kUnimplemented)
//   read (O_RDWR)             hflush of what was written, then a read of the file
//   utimens while writing     applied again after the file is completed (completing sets
//                             the modification time), unless a write came after it
//
// Thread-safety: any thread; mu_ serializes this handle's stream calls and guards the
// state below it (held across this handle's network I/O only). written_ is atomic so
// getattr of other requests never waits for a write in progress.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <utility>

#include "client/file_system.h"
#include "client/fuse/open_file.h"

namespace cairn::fuse {

class WriteHandle : public OpenFile {
 public:
  // `out` is the stream of a file just created (length 0), or null: the file exists with
  // `length` bytes and a stream is opened by append() when a write needs it.
  WriteHandle(std::shared_ptr<client::FileSystem> fs, std::string path, std::unique_ptr<client::OutputStream> out,
              uint64_t length, bool append, client::OpenOptions read_options);
  ~WriteHandle() override;

  Result<size_t> Read(uint64_t offset, char* buf, size_t n) override;
  Status Write(uint64_t offset, const char* data, size_t n) override;
  Status Flush() override;
  Status Fsync() override;
  Status Truncate(uint64_t size) override;
  Status Release() override;
  std::optional<uint64_t> WrittenLength() const override;
  bool writable() const override { return true; }
  void KeepTimes(int64_t mtime_ms, int64_t atime_ms) override;

 private:
  uint64_t Length() const;         // caller holds mu_
  Status OpenStream();             // caller holds mu_
  Status CloseStream();            // completes the file; caller holds mu_
  Status WriteZeros(uint64_t n);   // caller holds mu_; out_ open
  void Track();                    // publishes out_'s length to written_; caller holds mu_

  const std::shared_ptr<client::FileSystem> fs_;
  const bool append_;
  const client::OpenOptions read_options_;

  mutable std::mutex mu_;
  std::unique_ptr<client::OutputStream> out_;  // guarded by mu_; open while bytes may be pending
  uint64_t length_ = 0;                        // guarded by mu_; the file's length while out_ is null
  uint64_t flushed_ = 0;                       // guarded by mu_; bytes of out_ visible to readers
  std::unique_ptr<client::InputStream> in_;    // guarded by mu_; for reads, reopened when stale
  std::optional<std::pair<int64_t, int64_t>> kept_times_;  // guarded by mu_; (mtime, atime) to restore
  std::atomic<int64_t> written_{-1};           // out_->Tell() while out_ is open, else -1
};

}  // namespace cairn::fuse
