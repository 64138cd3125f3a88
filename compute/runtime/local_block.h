// LocalBlockFile: short-circuit reading of a finalized replica on this node. The executor
// hands the task open descriptors of the block file and its .meta file (HDFS layout, see
// common/meta_file.h), as HDFS short-circuit reads pass descriptors, since the task's
// account cannot open the datanode's files by path; the task reads the data with large preads and verifies every
// chunk against the stored CRCs itself, so a corrupt replica is noticed exactly as a
// network read would notice it.
//
// Thread-safety: one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cairn/compute.pb.h"
#include "common/meta_file.h"
#include "common/status.h"

namespace cairn::compute {

class LocalBlockFile {
 public:
  // Opens both files and loads the checksums; `length` is the block's length (the namenode's).
  static Result<std::unique_ptr<LocalBlockFile>> Open(const std::string& data_path, const std::string& meta_path,
                                                      uint64_t length);
  // The same from open descriptors, which stay the caller's (they are duplicated); name
  // is for messages.
  static Result<std::unique_ptr<LocalBlockFile>> FromDescriptors(int data_fd, int meta_fd, uint64_t length,
                                                                 const std::string& name);
  ~LocalBlockFile();

  uint64_t length() const { return length_; }
  uint32_t bytes_per_checksum() const { return spec_.bytes_per_checksum; }
  // Reads [offset, offset + n) of the block into out and verifies it; offset must be a
  // multiple of bytes_per_checksum() and n too unless the range ends at length().
  Status ReadVerified(uint64_t offset, size_t n, char* out);

 private:
  LocalBlockFile(int fd, std::string path, uint64_t length, ChecksumSpec spec, std::vector<uint8_t> crcs)
      : fd_(fd), path_(std::move(path)), length_(length), spec_(spec), crcs_(std::move(crcs)) {}

  int fd_;
  std::string path_;
  uint64_t length_;
  ChecksumSpec spec_;
  std::vector<uint8_t> crcs_;  // big-endian CRC per chunk
};

// Whether the executor handed this split's local replica over (InputSplit.local_*_fd).
bool HasLocalReplica(const InputSplit& split);
// The handed-over replica of the split, verified as it is read.
Result<std::unique_ptr<LocalBlockFile>> OpenLocalReplica(const InputSplit& split);

}  // namespace cairn::compute
