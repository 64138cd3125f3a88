// Map output segments, the shuffle's on-disk format (Hadoop's IFile without compression):
// a run of records sorted by key, each encoded as
//   varint key_len | varint value_len | key bytes | value bytes
// A map's output is one file holding one segment per partition back to back (file.out)
// and an index file (file.out.index) with, per partition, big-endian u64 offset, length
// and record count. Spill files have the same shape.
//
// SegmentWriter appends records to a file through a large buffer; SegmentReader reads one
// segment of a file (or of memory) with large reads, handing out views into its buffer.
// RecordSource is what the merger and the reduce driver consume.
//
// Thread-safety: each object belongs to one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cairn::compute {

struct PartitionEntry {
  uint64_t offset = 0;
  uint64_t length = 0;
  uint64_t records = 0;
};

Status WriteIndexFile(const std::string& path, const std::vector<PartitionEntry>& entries);
Result<std::vector<PartitionEntry>> ReadIndexFile(const std::string& path);

// Encoded size of one record.
size_t EncodedRecordSize(size_t key_len, size_t value_len);

class SegmentWriter {
 public:
  // Creates (truncates) path.
  static Result<std::unique_ptr<SegmentWriter>> Create(const std::string& path, size_t buffer_bytes = 4 << 20);
  ~SegmentWriter();

  // Buffered; an error of an earlier flush is returned by the next call.
  Status Append(std::string_view key, std::string_view value);
  // Bytes appended so far (the offset the next record starts at).
  uint64_t offset() const { return flushed_ + used_; }
  // Flushes and closes; the file is complete once this returns OK.
  Status Close();

 private:
  SegmentWriter(int fd, std::string path, size_t buffer_bytes);
  Status Flush();

  int fd_;
  std::string path_;
  std::unique_ptr<char[]> buf_;
  size_t capacity_;
  size_t used_ = 0;
  uint64_t flushed_ = 0;
};

class RecordSource {
 public:
  virtual ~RecordSource() = default;
  // The next record; the views stay valid until the next call. False at the end or on an
  // error (then status() says which).
  virtual bool Next(std::string_view* key, std::string_view* value) = 0;
  virtual Status status() const = 0;
};

class SegmentReader final : public RecordSource {
 public:
  // Reads [offset, offset + length) of the open file fd (not owned; must outlive the reader).
  SegmentReader(int fd, uint64_t offset, uint64_t length, size_t buffer_bytes, std::string name);
  // Reads a segment held in memory (not copied; must outlive the reader).
  explicit SegmentReader(std::string_view data, std::string name = "memory");

  bool Next(std::string_view* key, std::string_view* value) override;
  Status status() const override { return status_; }

 private:
  // Makes at least `need` bytes available at pos_ (refilling from the file); false at the
  // segment's end or on error.
  bool Ensure(size_t need);
  bool Fail(Status st);

  int fd_ = -1;
  uint64_t file_pos_ = 0;     // next file offset to read
  uint64_t file_end_ = 0;
  std::vector<char> buf_;     // file mode
  const char* data_ = nullptr;
  size_t size_ = 0;           // valid bytes at data_
  size_t pos_ = 0;
  std::string name_;
  Status status_;
};

}  // namespace cairn::compute
