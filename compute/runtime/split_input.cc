#include "compute/runtime/split_input.h"

#include <algorithm>
#include <cstring>

#include <spdlog/spdlog.h>

namespace cairn::compute {

namespace {
constexpr size_t kMaxLocalRead = 8 << 20;
constexpr size_t kTailRead = 64 << 10;
}  // namespace

SplitInput::SplitInput(InputSplit split, FileSystemProvider fs, TaskCounters* counters)
    : split_(std::move(split)), fs_(std::move(fs)), counters_(counters), pos_(split_.start()) {}

SplitInput::~SplitInput() {
  if (remote_) (void)remote_->Close();
}

Result<size_t> SplitInput::Read(char* buf, size_t n) {
  if (n == 0 || pos_ >= split_.file_length()) return size_t{0};
  const uint64_t block_end = split_.start() + split_.length();
  if (pos_ < block_end && HasLocalReplica(split_)) {
    if (!local_tried_) {
      local_tried_ = true;
      auto opened = OpenLocalReplica(split_);
      if (opened.ok()) {
        local_ = std::move(*opened);
      } else {
        spdlog::warn("local replica of {} unusable, reading through a datanode: {}", split_.path(),
                     opened.status().ToString());
      }
    }
    if (local_) {
      auto got = ReadLocal(buf, n);
      if (got.ok()) return got;
      spdlog::warn("local read of {} failed at {}, reading through a datanode: {}", split_.path(), pos_,
                   got.status().ToString());
      local_.reset();
    }
  }
  return ReadRemote(buf, n);
}

Result<size_t> SplitInput::ReadLocal(char* buf, size_t n) {
  const uint64_t off = pos_ - split_.start();
  const uint64_t left = local_->length() - off;
  const uint32_t bpc = local_->bytes_per_checksum();
  size_t got = 0;
  if (off % bpc == 0 && (n >= bpc || n >= left)) {
    uint64_t want = std::min<uint64_t>({n, left, kMaxLocalRead});
    if (want < left) want -= want % bpc;
    RETURN_IF_ERROR(local_->ReadVerified(off, static_cast<size_t>(want), buf));
    got = static_cast<size_t>(want);
  } else {
    // Verify the whole chunk around the position, hand out the part asked for.
    const uint64_t chunk_start = off - off % bpc;
    const size_t chunk_len = static_cast<size_t>(std::min<uint64_t>(bpc, local_->length() - chunk_start));
    chunk_.resize(chunk_len);
    RETURN_IF_ERROR(local_->ReadVerified(chunk_start, chunk_len, chunk_.data()));
    got = std::min<size_t>(n, static_cast<size_t>(chunk_start + chunk_len - off));
    std::memcpy(buf, chunk_.data() + (off - chunk_start), got);
  }
  pos_ += got;
  counters_->bytes_read_local.Add(got);
  return got;
}

Result<size_t> SplitInput::ReadRemote(char* buf, size_t n) {
  if (pos_ >= split_end()) n = std::min(n, kTailRead);
  if (!remote_) {
    ASSIGN_OR_RETURN(client::FileSystem * fs, fs_());
    ASSIGN_OR_RETURN(remote_, fs->Open(split_.path()));
  }
  if (remote_->Tell() != pos_) RETURN_IF_ERROR(remote_->Seek(pos_));
  ASSIGN_OR_RETURN(size_t got, remote_->Read(buf, n));
  pos_ += got;
  counters_->bytes_read_remote.Add(got);
  return got;
}

}  // namespace cairn::compute
