#include "client/fuse/write_handle.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace cairn::fuse {

namespace {
constexpr size_t kZeroBytes = 64 * 1024;
}  // namespace

WriteHandle::WriteHandle(std::shared_ptr<client::FileSystem> fs, std::string path,
                         std::unique_ptr<client::OutputStream> out, uint64_t length, bool append,
                         client::OpenOptions read_options)
    : OpenFile(std::move(path)),
      fs_(std::move(fs)),
      append_(append),
      read_options_(read_options),
      out_(std::move(out)),
      length_(out_ ? 0 : length) {
  Track();
}

WriteHandle::~WriteHandle() {
  std::lock_guard lock(mu_);
  if (out_) {
    Status st = CloseStream();
    if (!st.ok()) spdlog::warn("closing {}: {}", path(), st.ToString());
  }
}

uint64_t WriteHandle::Length() const { return out_ ? out_->Tell() : length_; }

void WriteHandle::Track() { written_.store(out_ ? static_cast<int64_t>(out_->Tell()) : -1); }

std::optional<uint64_t> WriteHandle::WrittenLength() const {
  const int64_t n = written_.load();
  if (n < 0) return std::nullopt;
  return static_cast<uint64_t>(n);
}

Status WriteHandle::OpenStream() {
  if (out_) return Status::OK();
  ASSIGN_OR_RETURN(out_, fs_->Append(path()));
  flushed_ = out_->Tell();  // what append() found is visible already
  Track();
  return Status::OK();
}

Status WriteHandle::CloseStream() {
  Status st = out_->Close();
  length_ = out_->Tell();
  out_.reset();
  Track();
  if (in_) (void)in_->Close();
  in_.reset();  // its length predates the bytes just completed
  if (st.ok() && kept_times_) st = fs_->SetTimes(path(), kept_times_->first, kept_times_->second);
  kept_times_.reset();
  return st;
}

void WriteHandle::KeepTimes(int64_t mtime_ms, int64_t atime_ms) {
  std::lock_guard lock(mu_);
  kept_times_.emplace(mtime_ms, atime_ms);
}

Status WriteHandle::WriteZeros(uint64_t n) {
  static const std::vector<char> zeros(kZeroBytes, 0);
  while (n > 0) {
    const size_t chunk = static_cast<size_t>(std::min<uint64_t>(n, zeros.size()));
    RETURN_IF_ERROR(out_->Write(zeros.data(), chunk));
    n -= chunk;
  }
  return Status::OK();
}

Status WriteHandle::Write(uint64_t offset, const char* data, size_t n) {
  std::lock_guard lock(mu_);
  auto inside = [&](uint64_t end) {
    return Unimplemented("write of {} bytes at offset {} of {}, which has {} bytes: Cairn files are written once, "
                         "front to back; writes inside a file are refused and leave it unchanged",
                         n, offset, path(), end);
  };
  if (!append_ && offset < Length()) return inside(Length());
  RETURN_IF_ERROR(OpenStream());
  const uint64_t end = out_->Tell();  // append() may have found more bytes than we knew of
  if (append_) offset = end;
  if (offset < end) return inside(end);
  Status st = offset > end ? WriteZeros(offset - end) : Status::OK();
  if (st.ok()) st = out_->Write(data, n);
  kept_times_.reset();  // the write moved the modification time on
  Track();
  return st;
}

Status WriteHandle::Flush() {
  std::lock_guard lock(mu_);
  return out_ ? CloseStream() : Status::OK();
}

Status WriteHandle::Fsync() {
  std::lock_guard lock(mu_);
  if (!out_) return Status::OK();  // complete files are durable already
  RETURN_IF_ERROR(out_->Hsync());
  flushed_ = out_->Tell();
  return Status::OK();
}

Status WriteHandle::Truncate(uint64_t size) {
  std::lock_guard lock(mu_);
  if (size == Length()) return Status::OK();
  if (size > Length()) {
    RETURN_IF_ERROR(OpenStream());
    if (size > out_->Tell()) {
      Status st = WriteZeros(size - out_->Tell());
      Track();
      return st;
    }
    if (size == out_->Tell()) return Status::OK();
  }
  // Shorter: the namenode cuts closed files only.
  if (out_) RETURN_IF_ERROR(CloseStream());
  if (in_) (void)in_->Close();
  in_.reset();
  RETURN_IF_ERROR(fs_->Truncate(path(), size));
  length_ = size;
  return Status::OK();
}

Result<size_t> WriteHandle::Read(uint64_t offset, char* buf, size_t n) {
  std::lock_guard lock(mu_);
  if (out_ && out_->Tell() > flushed_) {
    RETURN_IF_ERROR(out_->Hflush());
    flushed_ = out_->Tell();
  }
  const uint64_t end = Length();
  if (offset >= end) return size_t{0};
  n = static_cast<size_t>(std::min<uint64_t>(n, end - offset));
  if (!in_ || in_->Length() < offset + n) {
    if (in_) (void)in_->Close();
    in_.reset();
    ASSIGN_OR_RETURN(in_, fs_->Open(path(), read_options_));
  }
  return ReadAt(*in_, offset, buf, n);
}

Status WriteHandle::Release() {
  std::lock_guard lock(mu_);
  Status st = out_ ? CloseStream() : Status::OK();
  if (in_) (void)in_->Close();
  in_.reset();
  return st;
}

}  // namespace cairn::fuse
