#include "compute/runtime/record_reader.h"

#include <algorithm>
#include <cstring>

namespace cairn::compute {

RecordReader::RecordReader(ByteSource* in, SplitRange range, size_t buffer_bytes)
    : in_(in), range_(std::move(range)), buf_(std::max<size_t>(buffer_bytes, 4096)), buffer_start_(range_.start) {}

float RecordReader::progress() const {
  uint64_t len = range_.end - range_.start;
  if (done_ || len == 0) return done_ ? 1.0f : 0.0f;
  return std::min(1.0f, static_cast<float>(static_cast<double>(consumed_) / static_cast<double>(len)));
}

bool RecordReader::Fail(Status st) {
  status_ = std::move(st);
  done_ = true;
  return false;
}

bool RecordReader::Fill() {
  if (eof_ || !status_.ok()) return false;
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    buffer_start_ += begin_;
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buf_.size()) buf_.resize(buf_.size() * 2);
  auto got = in_->Read(buf_.data() + end_, buf_.size() - end_);
  if (!got.ok()) return Fail(got.status());
  if (*got == 0) {
    eof_ = true;
    return false;
  }
  end_ += *got;
  return true;
}

namespace {

class LineReader final : public RecordReader {
 public:
  LineReader(ByteSource* in, SplitRange range, size_t buffer_bytes) : RecordReader(in, std::move(range), buffer_bytes) {}

  bool Next(std::string_view* record) override {
    if (done_) return false;
    if (!started_) {
      started_ = true;
      if (range_.start != 0 && !SkipFirstLine()) return false;
    }
    if (position_of(begin_) > range_.end) {
      done_ = true;
      return false;
    }
    size_t scanned = 0;  // bytes after begin_ known to hold no '\n'
    for (;;) {
      const char* from = buf_.data() + begin_ + scanned;
      const char* nl = static_cast<const char*>(std::memchr(from, '\n', end_ - begin_ - scanned));
      if (nl != nullptr) {
        size_t len = static_cast<size_t>(nl - (buf_.data() + begin_));
        *record = Trim(std::string_view(buf_.data() + begin_, len));
        begin_ += len + 1;
        consumed_ += len + 1;
        record_bytes_ += len + 1;
        return true;
      }
      scanned = end_ - begin_;
      if (!Fill()) {
        if (!status_.ok()) return false;
        done_ = true;
        if (end_ == begin_) return false;
        // The last line of the file, without a line break.
        *record = Trim(std::string_view(buf_.data() + begin_, end_ - begin_));
        consumed_ += end_ - begin_;
        record_bytes_ += end_ - begin_;
        begin_ = end_;
        return true;
      }
    }
  }

 private:
  static std::string_view Trim(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
  }

  // Drops everything up to and including the first '\n' (that line belongs to the split
  // before); false when the file ends first.
  bool SkipFirstLine() {
    for (;;) {
      const char* nl = static_cast<const char*>(std::memchr(buf_.data() + begin_, '\n', end_ - begin_));
      if (nl != nullptr) {
        size_t skip = static_cast<size_t>(nl - (buf_.data() + begin_)) + 1;
        begin_ += skip;
        consumed_ += skip;
        return true;
      }
      consumed_ += end_ - begin_;
      begin_ = end_;
      if (!Fill()) {
        done_ = true;
        return false;
      }
    }
  }

  bool started_ = false;
};

class FixedRecordReader final : public RecordReader {
 public:
  FixedRecordReader(ByteSource* in, SplitRange range, uint32_t record_bytes, size_t buffer_bytes)
      : RecordReader(in, std::move(range), std::max<size_t>(buffer_bytes, record_bytes * size_t{2})),
        record_size_(record_bytes) {}

  bool Next(std::string_view* record) override {
    if (done_) return false;
    if (!started_) {
      started_ = true;
      uint64_t start = range_.start;
      uint64_t skip = (record_size_ - start % record_size_) % record_size_;
      while (skip > 0) {
        if (end_ == begin_ && !Fill()) {
          done_ = true;
          return false;
        }
        size_t n = static_cast<size_t>(std::min<uint64_t>(skip, end_ - begin_));
        begin_ += n;
        skip -= n;
      }
    }
    if (position_of(begin_) >= range_.end) {
      done_ = true;
      return false;
    }
    while (end_ - begin_ < record_size_) {
      if (!Fill()) {
        if (!status_.ok()) return false;
        if (end_ == begin_) {
          done_ = true;
          return false;
        }
        return Fail(InvalidArgument("{} ends inside a {}-byte record (at offset {})", range_.name,
                                    record_size_, position_of(begin_)));
      }
    }
    *record = std::string_view(buf_.data() + begin_, record_size_);
    begin_ += record_size_;
    consumed_ += record_size_;
    record_bytes_ += record_size_;
    return true;
  }

 private:
  const uint32_t record_size_;
  bool started_ = false;
};

}  // namespace

std::unique_ptr<RecordReader> MakeLineReader(ByteSource* in, SplitRange range, size_t buffer_bytes) {
  return std::make_unique<LineReader>(in, std::move(range), buffer_bytes);
}

std::unique_ptr<RecordReader> MakeFixedRecordReader(ByteSource* in, SplitRange range, uint32_t record_bytes,
                                                    size_t buffer_bytes) {
  return std::make_unique<FixedRecordReader>(in, std::move(range), record_bytes, buffer_bytes);
}

}  // namespace cairn::compute
