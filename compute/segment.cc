#include "compute/segment.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/endian.h"
#include "compute/local_files.h"

namespace cairn::compute {

namespace {
constexpr size_t kIndexEntryBytes = 24;

inline size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

inline char* PutVarint(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

// Parses a varint from [p, end); returns bytes used, 0 when incomplete, -1 when malformed.
inline int GetVarint(const char* p, const char* end, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0, i = 0; shift <= 63; shift += 7, ++i) {
    if (p + i >= end) return 0;
    uint8_t byte = static_cast<uint8_t>(p[i]);
    result |= uint64_t{byte & 0x7Fu} << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return i + 1;
    }
  }
  return -1;
}
}  // namespace

size_t EncodedRecordSize(size_t key_len, size_t value_len) {
  return VarintSize(key_len) + VarintSize(value_len) + key_len + value_len;
}

Status WriteIndexFile(const std::string& path, const std::vector<PartitionEntry>& entries) {
  std::string data(entries.size() * kIndexEntryBytes, '\0');
  auto* p = reinterpret_cast<uint8_t*>(data.data());
  for (const auto& e : entries) {
    StoreBigEndian64(p, e.offset);
    StoreBigEndian64(p + 8, e.length);
    StoreBigEndian64(p + 16, e.records);
    p += kIndexEntryBytes;
  }
  return WriteFileAtomically(path, data, /*sync=*/false);
}

Result<std::vector<PartitionEntry>> ReadIndexFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string data, ReadWholeFile(path));
  if (data.size() % kIndexEntryBytes != 0) return Corruption("{}: index of {} bytes is malformed", path, data.size());
  std::vector<PartitionEntry> out(data.size() / kIndexEntryBytes);
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());
  for (auto& e : out) {
    e.offset = LoadBigEndian64(p);
    e.length = LoadBigEndian64(p + 8);
    e.records = LoadBigEndian64(p + 16);
    p += kIndexEntryBytes;
  }
  return out;
}

// ---------------------------------------------------------------- writer

SegmentWriter::SegmentWriter(int fd, std::string path, size_t buffer_bytes)
    : fd_(fd), path_(std::move(path)), buf_(new char[buffer_bytes]), capacity_(buffer_bytes) {}

SegmentWriter::~SegmentWriter() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<SegmentWriter>> SegmentWriter::Create(const std::string& path, size_t buffer_bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError(errno, "create " + path);
  return std::unique_ptr<SegmentWriter>(new SegmentWriter(fd, path, std::max<size_t>(buffer_bytes, 64 * 1024)));
}

Status SegmentWriter::Flush() {
  const char* p = buf_.get();
  size_t left = used_;
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      return err == ENOSPC ? NoSpace("{}: no space left on the executor's disk", path_) : ErrnoError(err, "write " + path_);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  flushed_ += used_;
  used_ = 0;
  return Status::OK();
}

Status SegmentWriter::Append(std::string_view key, std::string_view value) {
  const size_t header = VarintSize(key.size()) + VarintSize(value.size());
  const size_t total = header + key.size() + value.size();
  if (used_ + total > capacity_) {
    RETURN_IF_ERROR(Flush());
    if (total > capacity_) {
      // A record larger than the buffer: header from the buffer, then the bytes directly.
      char* p = PutVarint(PutVarint(buf_.get(), key.size()), value.size());
      used_ = static_cast<size_t>(p - buf_.get());
      RETURN_IF_ERROR(Flush());
      for (std::string_view part : {key, value}) {
        size_t off = 0;
        while (off < part.size()) {
          ssize_t n = ::write(fd_, part.data() + off, part.size() - off);
          if (n < 0 && errno == EINTR) continue;
          if (n < 0) return ErrnoError(errno, "write " + path_);
          off += static_cast<size_t>(n);
        }
        flushed_ += part.size();
      }
      return Status::OK();
    }
  }
  char* p = PutVarint(PutVarint(buf_.get() + used_, key.size()), value.size());
  std::memcpy(p, key.data(), key.size());
  std::memcpy(p + key.size(), value.data(), value.size());
  used_ += total;
  return Status::OK();
}

Status SegmentWriter::Close() {
  if (fd_ < 0) return Status::OK();
  Status st = Flush();
  if (::close(fd_) != 0 && st.ok()) st = ErrnoError(errno, "close " + path_);
  fd_ = -1;
  return st;
}

// ---------------------------------------------------------------- reader

SegmentReader::SegmentReader(int fd, uint64_t offset, uint64_t length, size_t buffer_bytes, std::string name)
    : fd_(fd), file_pos_(offset), file_end_(offset + length), name_(std::move(name)) {
  buf_.resize(static_cast<size_t>(std::min<uint64_t>(std::max<size_t>(buffer_bytes, 4096), std::max<uint64_t>(length, 1))));
  data_ = buf_.data();
}

SegmentReader::SegmentReader(std::string_view data, std::string name)
    : data_(data.data()), size_(data.size()), name_(std::move(name)) {}

bool SegmentReader::Fail(Status st) {
  if (status_.ok()) status_ = std::move(st);
  return false;
}

bool SegmentReader::Ensure(size_t need) {
  if (size_ - pos_ >= need) return true;
  if (fd_ < 0 || file_pos_ >= file_end_) return false;
  // Keep the unread tail, grow for big records, refill.
  size_t tail = size_ - pos_;
  if (need > buf_.size()) {
    std::vector<char> bigger(need);
    std::memcpy(bigger.data(), buf_.data() + pos_, tail);
    buf_.swap(bigger);
  } else if (tail > 0) {
    std::memmove(buf_.data(), buf_.data() + pos_, tail);
  }
  data_ = buf_.data();
  pos_ = 0;
  size_ = tail;
  while (size_ < need) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(buf_.size() - size_, file_end_ - file_pos_));
    if (want == 0) break;
    ssize_t n = ::pread(fd_, buf_.data() + size_, want, static_cast<off_t>(file_pos_));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Fail(ErrnoError(errno, "read " + name_));
    if (n == 0) return Fail(Corruption("{}: segment ends early at offset {}", name_, file_pos_));
    size_ += static_cast<size_t>(n);
    file_pos_ += static_cast<uint64_t>(n);
  }
  // Fill the rest of the buffer too, so small records do not cause small reads.
  if (size_ < buf_.size() && file_pos_ < file_end_) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(buf_.size() - size_, file_end_ - file_pos_));
    ssize_t n = ::pread(fd_, buf_.data() + size_, want, static_cast<off_t>(file_pos_));
    if (n > 0) {
      size_ += static_cast<size_t>(n);
      file_pos_ += static_cast<uint64_t>(n);
    }
  }
  return size_ - pos_ >= need;
}

bool SegmentReader::Next(std::string_view* key, std::string_view* value) {
  if (!status_.ok()) return false;
  if (pos_ == size_ && !Ensure(1)) return false;
  uint64_t klen = 0, vlen = 0;
  for (;;) {
    const char* p = data_ + pos_;
    const char* end = data_ + size_;
    int a = GetVarint(p, end, &klen);
    int b = a > 0 ? GetVarint(p + a, end, &vlen) : 0;
    if (a < 0 || b < 0) return Fail(Corruption("{}: malformed record header", name_));
    if (a > 0 && b > 0) {
      size_t total = static_cast<size_t>(a + b) + klen + vlen;
      if (klen > (1u << 30) || vlen > (1u << 30)) return Fail(Corruption("{}: record of impossible size", name_));
      if (size_ - pos_ >= total) {
        *key = std::string_view(p + a + b, klen);
        *value = std::string_view(p + a + b + klen, vlen);
        pos_ += total;
        return true;
      }
      if (!Ensure(total)) return Fail(Corruption("{}: truncated record", name_));
      continue;
    }
    // Header incomplete.
    if (!Ensure(size_ - pos_ + 1)) return Fail(Corruption("{}: truncated record header", name_));
  }
}

}  // namespace cairn::compute
