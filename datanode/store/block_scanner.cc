#include "datanode/store/block_scanner.h"

#include <pthread.h>

#include <algorithm>

#include <spdlog/spdlog.h>

#include "common/checksum.h"
#include "common/clock.h"

namespace cairn::datanode {

namespace {
constexpr uint64_t kReadBytes = 1 << 20;  // one verification read

bool IsDamage(const Status& st) {
  return st.code() == ErrorCode::kChecksumMismatch || st.code() == ErrorCode::kCorruption;
}
}  // namespace

// Keeps one volume's reads under the configured rate: each read moves the earliest start
// of the next one by bytes / rate.
class BlockScanner::Throttle {
 public:
  Throttle(BlockScanner* scanner, uint64_t bytes_per_sec) : scanner_(scanner), rate_(bytes_per_sec) {}

  // False when the scanner is stopping.
  bool Consume(uint64_t bytes) {
    if (rate_ == 0) return true;
    const int64_t now = MonotonicMillis();
    next_ms_ = std::max(next_ms_, now) + static_cast<int64_t>(bytes * 1000 / rate_);
    if (next_ms_ <= now) return true;
    std::unique_lock lock(scanner_->mu_);
    scanner_->cv_.wait_until(lock, std::chrono::steady_clock::time_point(std::chrono::milliseconds(next_ms_)),
                             [&] { return scanner_->stopping_; });
    return !scanner_->stopping_;
  }

 private:
  BlockScanner* const scanner_;
  const uint64_t rate_;
  int64_t next_ms_ = 0;
};

BlockScanner::BlockScanner(BlockStore* store, BlockScannerOptions options) : store_(store), options_(options) {}

BlockScanner::~BlockScanner() { Stop(); }

void BlockScanner::Start() {
  if (options_.bytes_per_sec == 0 && options_.volume_check_interval_ms <= 0) return;
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  for (const VolumeStatus& v : store_->Volumes()) {
    if (v.index < 0 || v.failed) continue;
    threads_.emplace_back([this, index = v.index] { Run(index); });
  }
}

void BlockScanner::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void BlockScanner::MarkSuspect(uint64_t block_id) {
  auto replica = store_->GetReplica(block_id);
  if (!replica.ok() || replica->volume < 0) return;
  {
    std::lock_guard lock(mu_);
    suspects_[replica->volume].insert(block_id);
  }
  cv_.notify_all();
  spdlog::info("{} is suspect: it will be verified next", replica->Name());
}

bool BlockScanner::TakeSuspect(int volume, uint64_t* block_id) {
  std::lock_guard lock(mu_);
  auto it = suspects_.find(volume);
  if (it == suspects_.end() || it->second.empty()) return false;
  *block_id = *it->second.begin();
  it->second.erase(it->second.begin());
  return true;
}

bool BlockScanner::WaitUntil(int volume, int64_t deadline_ms) {
  std::unique_lock lock(mu_);
  cv_.wait_until(lock, std::chrono::steady_clock::time_point(std::chrono::milliseconds(deadline_ms)), [&] {
    auto it = suspects_.find(volume);
    return stopping_ || (it != suspects_.end() && !it->second.empty());
  });
  return !stopping_;
}

Status BlockScanner::VerifyOnce(uint64_t block_id, ReplicaInfo* seen, Throttle* throttle) {
  auto current = store_->GetReplica(block_id);
  if (!current.ok() || current->state != ReplicaState::kFinalized) return Status::OK();  // gone or being written
  if (current->corrupt) {
    *seen = *current;
    return Corruption("{} is already marked corrupt", current->Name());
  }
  auto reader = store_->OpenForRead(block_id, current->gen_stamp);
  if (!reader.ok()) {
    // Deleted, appended to or moved since the lookup: nothing to judge.
    if (reader.status().code() == ErrorCode::kNotFound || reader.status().code() == ErrorCode::kAborted)
      return Status::OK();
    return reader.status();
  }
  const ReplicaInfo& r = (*reader)->replica();
  *seen = r;
  if (r.state != ReplicaState::kFinalized) return Status::OK();
  const uint64_t bpc = r.checksum.bytes_per_checksum;
  const uint64_t run = std::max<uint64_t>(bpc, kReadBytes / bpc * bpc);
  std::vector<uint8_t> data, crcs;
  const uint64_t length = r.visible_length();
  for (uint64_t off = 0; off < length; off += run) {
    const uint64_t n = std::min(run, length - off);
    data.resize(n);
    crcs.resize(r.checksum.ChunkCount(n) * kCrcSize);
    Status st = (*reader)->StartRead(0, off, data, off / bpc, crcs);
    if (st.ok()) st = (*reader)->FinishRead(0);
    if (!st.ok()) return st;
    RETURN_IF_ERROR_CTX(VerifyChunkChecksums(r.checksum.type, static_cast<uint32_t>(bpc), data, crcs.data(), off),
                        r.Name());
    if (throttle != nullptr && !throttle->Consume(n)) return Status::OK();  // stopping
  }
  return Status::OK();
}

Status BlockScanner::Verify(uint64_t block_id, Throttle* throttle) {
  ReplicaInfo first;
  Status st = VerifyOnce(block_id, &first, throttle);
  if (first.block_id != 0) ++verified_;
  if (st.ok() || first.corrupt) return st;
  if (!IsDamage(st)) {
    // An I/O error says more about the disk than the replica: the store probes the volume.
    spdlog::warn("verifying blk_{}: {}", static_cast<int64_t>(block_id), st.ToString());
    return Status::OK();
  }
  // Look again: an append or recovery racing the read changes the last chunk's checksum.
  ReplicaInfo second;
  Status again = VerifyOnce(block_id, &second, nullptr);
  if (!IsDamage(again) || second.gen_stamp != first.gen_stamp || second.bytes_on_disk != first.bytes_on_disk)
    return Status::OK();
  if (second.corrupt) return again;
  Status marked = store_->MarkCorrupt(block_id, second.gen_stamp, again.message());
  if (marked.ok()) ++corrupt_found_;
  return again;
}

Status BlockScanner::VerifyReplica(uint64_t block_id) { return Verify(block_id, nullptr); }

void BlockScanner::Run(int volume) {
  pthread_setname_np(pthread_self(), ("dn-scan-" + std::to_string(volume)).c_str());
  const bool scanning = options_.bytes_per_sec > 0;
  const bool probing = options_.volume_check_interval_ms > 0;
  auto in_service = [&] {
    for (const VolumeStatus& v : store_->Volumes()) {
      if (v.index == volume) return !v.failed;
    }
    return false;
  };
  Throttle throttle(this, options_.bytes_per_sec);
  int64_t next_pass = MonotonicMillis();
  int64_t next_check = next_pass + options_.volume_check_interval_ms;
  std::vector<uint64_t> todo;
  size_t pos = 0;
  bool in_pass = false;
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    const int64_t now = MonotonicMillis();
    if (probing && now >= next_check) {
      Status st = store_->CheckVolume(volume);
      if (!st.ok()) spdlog::error("volume {} failed its check: {}", volume, st.ToString());
      next_check = now + options_.volume_check_interval_ms;
      if (!in_service()) {
        spdlog::info("volume {} is out of service; its scanner stops", volume);
        return;
      }
    }
    uint64_t id = 0;
    if (TakeSuspect(volume, &id)) {
      (void)Verify(id, nullptr);
      continue;
    }
    if (scanning && !in_pass && now >= next_pass) {
      if (!in_service()) return;
      todo.clear();
      for (const ReplicaInfo& r : store_->ListReplicas()) {
        if (r.volume == volume && r.state == ReplicaState::kFinalized && !r.corrupt) todo.push_back(r.block_id);
      }
      std::sort(todo.begin(), todo.end());
      pos = 0;
      in_pass = true;
      next_pass = now + options_.scan_period_ms;
    }
    if (in_pass) {
      if (pos < todo.size()) {
        (void)Verify(todo[pos++], &throttle);
        continue;
      }
      in_pass = false;
      ++passes_;
      spdlog::debug("volume {}: verified {} replicas in this pass", volume, todo.size());
    }
    int64_t deadline = now + 3600 * 1000;
    if (scanning) deadline = std::min(deadline, next_pass);
    if (probing) deadline = std::min(deadline, next_check);
    if (!WaitUntil(volume, deadline)) return;
  }
}

}  // namespace cairn::datanode
