#include "client/readahead_input_stream.h"

#include <algorithm>
#include <cstring>

namespace cairn::client {

namespace {
constexpr uint32_t kMinChunkBytes = 4096;
constexpr size_t kMaxSpareChunks = 4;
}  // namespace

ReadAheadInputStream::ReadAheadInputStream(std::unique_ptr<InputStream> inner, uint64_t window_bytes,
                                           uint32_t chunk_bytes)
    : inner_(std::move(inner)),
      window_bytes_(std::max<uint64_t>(window_bytes, std::max(chunk_bytes, kMinChunkBytes))),
      chunk_bytes_(std::max(chunk_bytes, kMinChunkBytes)) {
  end_ = inner_->Length();
  pos_ = fetch_pos_ = inner_->Tell();
  ahead_ = chunk_bytes_;
}

ReadAheadInputStream::~ReadAheadInputStream() { (void)Close(); }

ReadAheadInputStream::ChunkPtr ReadAheadInputStream::NewChunk() {
  if (!spare_.empty()) {
    ChunkPtr c = std::move(spare_.back());
    spare_.pop_back();
    return c;
  }
  auto c = std::make_shared<Chunk>();
  c->buf.reset(new uint8_t[chunk_bytes_]);  // not zeroed: every byte handed out was fetched
  return c;
}

void ReadAheadInputStream::Recycle(ChunkPtr chunk) {
  // A concurrent PRead may still be copying out of it; then it is simply freed later.
  if (chunk.use_count() == 1 && spare_.size() < kMaxSpareChunks) spare_.push_back(std::move(chunk));
}

ReadAheadInputStream::ChunkPtr ReadAheadInputStream::ChunkAt(uint64_t offset) const {
  if (chunks_.empty() || offset < chunks_.front()->offset || offset >= fetch_pos_) return nullptr;
  // Chunks are contiguous and all but the last one full.
  const size_t index = static_cast<size_t>((offset - chunks_.front()->offset) / chunk_bytes_);
  if (index >= chunks_.size()) return nullptr;
  const ChunkPtr& c = chunks_[index];
  return offset >= c->offset && offset < c->end() ? c : nullptr;
}

void ReadAheadInputStream::Restart() {
  ++generation_;
  for (auto& c : chunks_) Recycle(std::move(c));
  chunks_.clear();
  fetch_pos_ = pos_;
  error_ = Status::OK();
  ahead_ = chunk_bytes_;
  work_cv_.notify_one();
}

void ReadAheadInputStream::Reposition() {
  // Keep one chunk behind the position, for readers that step back a little (FUSE can
  // deliver neighbouring reads out of order).
  while (!chunks_.empty() && chunks_.front()->end() + chunk_bytes_ <= pos_) {
    Recycle(std::move(chunks_.front()));
    chunks_.pop_front();
  }
  const bool next_fetch_holds_it = pos_ >= fetch_pos_ && pos_ < fetch_pos_ + chunk_bytes_;
  if (pos_ < end_ && ChunkAt(pos_) == nullptr && !next_fetch_holds_it) {
    Restart();
    return;
  }
  work_cv_.notify_one();
}

Status ReadAheadInputStream::Fetch(Chunk* chunk, size_t want) {
  chunk->size = 0;
  if (inner_->Tell() != chunk->offset) RETURN_IF_ERROR(inner_->Seek(chunk->offset));
  while (chunk->size < want) {
    ASSIGN_OR_RETURN(size_t n, inner_->Read(chunk->buf.get() + chunk->size, want - chunk->size));
    if (n == 0) break;
    chunk->size += n;
  }
  return Status::OK();
}

void ReadAheadInputStream::Worker() {
  std::unique_lock lock(mu_);
  for (;;) {
    work_cv_.wait(lock, [&] { return closing_ || (error_.ok() && fetch_pos_ < end_ && fetch_pos_ < pos_ + ahead_); });
    if (closing_) return;
    const uint64_t generation = generation_;
    ChunkPtr chunk = NewChunk();
    chunk->offset = fetch_pos_;
    const size_t want = static_cast<size_t>(std::min<uint64_t>(chunk_bytes_, end_ - fetch_pos_));
    lock.unlock();
    Status st = Fetch(chunk.get(), want);
    lock.lock();
    if (generation != generation_ || closing_) {
      Recycle(std::move(chunk));
      continue;
    }
    const bool short_read = st.ok() && chunk->size < want;
    if (chunk->size > 0) {
      fetch_pos_ = chunk->end();
      chunks_.push_back(std::move(chunk));
    } else {
      Recycle(std::move(chunk));
    }
    if (!st.ok()) error_ = st;
    if (short_read) end_ = fetch_pos_;  // the file ended earlier than its length said
    data_cv_.notify_all();
  }
}

Result<size_t> ReadAheadInputStream::Read(void* buf, size_t n) {
  auto* out = static_cast<uint8_t*>(buf);
  std::unique_lock lock(mu_);
  if (closed_) return InvalidArgument("read from a closed stream");
  if (!worker_.joinable()) worker_ = std::thread([this] { Worker(); });
  size_t total = 0;
  while (total < n && pos_ < end_) {
    ChunkPtr c = ChunkAt(pos_);
    if (c == nullptr) {
      if (!error_.ok()) {  // the worker stopped at fetch_pos_ == pos_
        if (total > 0) break;  // hand out what was read; the next call reports the error
        return error_;
      }
      data_cv_.wait(lock, [&] { return ChunkAt(pos_) != nullptr || !error_.ok() || pos_ >= end_; });
      continue;
    }
    const size_t from = static_cast<size_t>(pos_ - c->offset);
    const size_t len = std::min(n - total, c->size - from);
    lock.unlock();
    std::memcpy(out + total, c->buf.get() + from, len);
    lock.lock();
    total += len;
    pos_ += len;
    if (pos_ == c->end()) ahead_ = std::min(window_bytes_, ahead_ * 2);  // a whole chunk read in order
    c.reset();
    Reposition();
  }
  return total;
}

Result<size_t> ReadAheadInputStream::PRead(uint64_t offset, void* buf, size_t n) {
  {
    std::unique_lock lock(mu_);
    if (closed_) return InvalidArgument("read from a closed stream");
    ChunkPtr c = ChunkAt(offset);
    if (c != nullptr && offset + n <= c->end()) {
      lock.unlock();
      std::memcpy(buf, c->buf.get() + (offset - c->offset), n);
      return n;
    }
  }
  return inner_->PRead(offset, buf, n);
}

Status ReadAheadInputStream::Seek(uint64_t offset) {
  std::lock_guard lock(mu_);
  if (closed_) return InvalidArgument("seek on a closed stream");
  if (offset > end_) return InvalidArgument("cannot seek to offset {} past the end ({} bytes)", offset, end_);
  if (offset == pos_) return Status::OK();
  pos_ = offset;
  if (!error_.ok()) {
    Restart();  // try again from here
  } else {
    Reposition();
  }
  return Status::OK();
}

uint64_t ReadAheadInputStream::Tell() const {
  std::lock_guard lock(mu_);
  return pos_;
}

uint64_t ReadAheadInputStream::Length() const {
  std::lock_guard lock(mu_);
  return end_;
}

Status ReadAheadInputStream::Close() {
  {
    std::lock_guard lock(mu_);
    if (closed_) return Status::OK();
    closed_ = true;
    closing_ = true;
  }
  work_cv_.notify_all();
  if (worker_.joinable()) worker_.join();
  {
    std::lock_guard lock(mu_);
    chunks_.clear();
    spare_.clear();
  }
  return inner_->Close();
}

}  // namespace cairn::client
