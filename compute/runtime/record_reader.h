// Record readers: a map task's split as records, read through a ByteSource (SplitInput)
// into one large buffer and handed out as views (no copy, no allocation per record).
//
// Text lines follow Hadoop's LineRecordReader: a split [start, end) skips its first line
// unless start is 0 (the previous split reads it) and reads every line that starts at or
// before end, finishing the last one in the next block. So each line is read by exactly
// one split, wherever block boundaries fall. Lines end at '\n'; a '\r' before it is
// dropped; the last line may lack its '\n'.
//
// Fixed-size records of R bytes start at multiples of R; a split reads the records that
// start inside it. A file that ends inside a record is an error.
//
// Thread-safety: one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cairn::compute {

// Sequential bytes of a file from some offset on (SplitInput in tasks; memory in tests).
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Up to n bytes; 0 at the end of the file.
  virtual Result<size_t> Read(char* buf, size_t n) = 0;
};

// Which records a reader returns: those of the split [start, end) of file `name`.
struct SplitRange {
  std::string name;
  uint64_t start = 0;
  uint64_t end = 0;
};

class RecordReader {
 public:
  virtual ~RecordReader() = default;
  // The next record; valid until the next call. False at the end of the split or on an
  // error (status() says which).
  virtual bool Next(std::string_view* record) = 0;
  const Status& status() const { return status_; }
  // Bytes of the records returned so far, with their separators (each input byte is
  // counted by exactly one split).
  uint64_t record_bytes() const { return record_bytes_; }
  float progress() const;

 protected:
  // `in` is positioned at range.start.
  RecordReader(ByteSource* in, SplitRange range, size_t buffer_bytes);
  // Reads more after compacting what is unread to the front (growing the buffer when it is
  // full); false at the end of the file or on an error.
  bool Fill();
  uint64_t position_of(size_t index) const { return buffer_start_ + index; }
  bool Fail(Status st);

  ByteSource* const in_;
  const SplitRange range_;
  std::vector<char> buf_;
  size_t begin_ = 0;           // first unread byte
  size_t end_ = 0;             // end of valid bytes
  uint64_t buffer_start_ = 0;  // file offset of buf_[0]
  bool eof_ = false;
  bool done_ = false;
  uint64_t consumed_ = 0;      // bytes passed over, for progress
  uint64_t record_bytes_ = 0;
  Status status_;
};

std::unique_ptr<RecordReader> MakeLineReader(ByteSource* in, SplitRange range, size_t buffer_bytes = 8 << 20);
std::unique_ptr<RecordReader> MakeFixedRecordReader(ByteSource* in, SplitRange range, uint32_t record_bytes,
                                                    size_t buffer_bytes = 8 << 20);

}  // namespace cairn::compute
