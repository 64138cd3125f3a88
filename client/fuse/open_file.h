// OpenFile: one open(2) of a file through the mount, as the handle table holds it. A
// read-only open is a ReadHandle; an open for writing is a WriteHandle. The kernel may
// send several requests for one handle at once (readahead, a dup'ed descriptor), so each
// handle serializes its own stream calls; different handles never wait for each other.
//
// The path is the file's path in the namespace now: a rename through the mount updates
// it (Renamed), so a handle keeps following its file.
//
// Thread-safety: all methods may be called from any thread; path_mu_ guards path_.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "client/input_stream.h"
#include "common/status.h"

namespace cairn::fuse {

class OpenFile {
 public:
  explicit OpenFile(std::string path) : path_(std::move(path)) {}
  virtual ~OpenFile() = default;

  // Up to n bytes at offset; fewer only at the end of the file.
  virtual Result<size_t> Read(uint64_t offset, char* buf, size_t n) = 0;
  // All n bytes at offset, or an error (kUnimplemented for a write inside the file).
  virtual Status Write(uint64_t offset, const char* data, size_t n) = 0;
  // close(2) of one of its descriptors.
  virtual Status Flush() = 0;
  virtual Status Fsync() = 0;
  virtual Status Truncate(uint64_t size) = 0;
  // The last descriptor is gone.
  virtual Status Release() = 0;
  // The file's length as this handle has written it so far, while it has bytes the
  // namenode may not count yet; nullopt otherwise.
  virtual std::optional<uint64_t> WrittenLength() const = 0;
  virtual bool writable() const = 0;
  // utimens while the file is being written: completing a file sets its modification
  // time (as in HDFS), so a writer applies these times again once it completes the file,
  // unless more bytes were written since. Read handles ignore it.
  virtual void KeepTimes(int64_t mtime_ms, int64_t atime_ms) {}

  std::string path() const;
  // `from` was renamed to `to`; follows it when it is this file or a directory above it.
  void Renamed(const std::string& from, const std::string& to);

 protected:
  // Reads n bytes at offset from a sequential stream, seeking only when the offset is
  // not where the stream is (so the stream's read-ahead keeps working).
  static Result<size_t> ReadAt(client::InputStream& in, uint64_t offset, char* buf, size_t n);

 private:
  mutable std::mutex path_mu_;
  std::string path_;  // guarded by path_mu_
};

}  // namespace cairn::fuse
