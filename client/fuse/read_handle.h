// ReadHandle: a file opened read-only through the mount. Holds one input stream (with
// read-ahead) opened when the file was, so it reads the file as it was then: the length
// is fixed at open, and a file completed before the open is read in full.
//
// Thread-safety: any thread; mu_ serializes the stream calls.
#pragma once

#include <memory>

#include "client/fuse/open_file.h"
#include "client/input_stream.h"

namespace cairn::fuse {

class ReadHandle : public OpenFile {
 public:
  ReadHandle(std::string path, std::unique_ptr<client::InputStream> in) : OpenFile(std::move(path)), in_(std::move(in)) {}

  Result<size_t> Read(uint64_t offset, char* buf, size_t n) override;
  Status Write(uint64_t offset, const char* data, size_t n) override;
  Status Flush() override { return Status::OK(); }
  Status Fsync() override { return Status::OK(); }
  Status Truncate(uint64_t size) override;
  Status Release() override;
  std::optional<uint64_t> WrittenLength() const override { return std::nullopt; }
  bool writable() const override { return false; }

 private:
  std::mutex mu_;
  std::unique_ptr<client::InputStream> in_;  // guarded by mu_
};

}  // namespace cairn::fuse
