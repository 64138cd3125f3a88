#include "client/dfs_input_stream.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "client/proto_convert.h"
#include "common/block_token.h"

namespace cairn::client {

namespace {
// Range asked for when the stream opens, before the block size is known.
constexpr uint64_t kAssumedBlockSize = 128ull << 20;
// Forward seeks this short inside the current block read through instead of reconnecting.
constexpr uint64_t kMaxSkipBytes = 1 << 20;
// Wait before the n-th refetch of a block's locations: n times this.
constexpr int kRefetchBackoffMs = 300;

bool IsTransportError(const Status& st) {
  return st.code() == ErrorCode::kUnavailable || st.code() == ErrorCode::kTimedOut;
}
}  // namespace

DfsInputStream::DfsInputStream(std::shared_ptr<ClientContext> ctx, std::string path)
    : ctx_(std::move(ctx)), path_(std::move(path)) {
  reader_options_.client_name = ctx_->client_name;
  reader_options_.socket_timeout_ms = ctx_->options.socket_timeout_ms;
  reader_options_.socket_buffer_bytes = ctx_->options.socket_buffer_bytes;
}

Result<std::unique_ptr<DfsInputStream>> DfsInputStream::Open(std::shared_ptr<ClientContext> ctx, std::string path) {
  std::unique_ptr<DfsInputStream> s(new DfsInputStream(std::move(ctx), std::move(path)));
  const uint64_t prefetch_blocks = std::max<uint32_t>(1, s->ctx_->options.read_prefetch_blocks);
  ASSIGN_OR_RETURN(hh::LocatedBlocksProto located, s->Fetch(0, prefetch_blocks * kAssumedBlockSize));
  s->length_ = located.filelength();
  if (located.underconstruction() && located.has_lastblock() && !located.islastblockcomplete()) {
    // Readable up to what the writer made visible (hflush/hsync record it at the namenode).
    const auto& last = located.lastblock();
    s->length_ = std::max(s->length_, last.offset() + last.b().numbytes());
    s->last_block_id_ = last.b().blockid();
    s->has_open_last_block_ = true;
  }
  uint64_t block_size = 0;
  for (const auto& b : located.blocks()) block_size = std::max(block_size, b.b().numbytes());
  s->prefetch_bytes_ = prefetch_blocks * std::max<uint64_t>(block_size, 1 << 20);
  return s;
}

Result<hh::LocatedBlocksProto> DfsInputStream::Fetch(uint64_t offset, uint64_t length) {
  hh::GetBlockLocationsRequestProto req;
  req.set_src(path_);
  req.set_offset(offset);
  req.set_length(length);
  ASSIGN_OR_RETURN(hh::GetBlockLocationsResponseProto resp, ctx_->namenode->GetBlockLocations(req));
  if (!resp.has_locations()) return NotFound("{}: no such file", path_);
  std::lock_guard lock(mu_);
  blocks_.assign(resp.locations().blocks().begin(), resp.locations().blocks().end());
  std::sort(blocks_.begin(), blocks_.end(),
            [](const auto& a, const auto& b) { return a.offset() < b.offset(); });
  return std::move(*resp.mutable_locations());
}

uint64_t DfsInputStream::BlockLength(const hh::LocatedBlockProto& block) const {
  const uint64_t to_eof = length_ > block.offset() ? length_ - block.offset() : 0;
  if (has_open_last_block_ && block.b().blockid() == last_block_id_) return to_eof;
  return std::min<uint64_t>(block.b().numbytes(), to_eof);
}

const hh::LocatedBlockProto* DfsInputStream::FindCached(uint64_t offset) const {
  auto it = std::upper_bound(blocks_.begin(), blocks_.end(), offset,
                             [](uint64_t off, const hh::LocatedBlockProto& b) { return off < b.offset(); });
  if (it == blocks_.begin()) return nullptr;
  --it;
  return offset < it->offset() + BlockLength(*it) ? &*it : nullptr;
}

Result<hh::LocatedBlockProto> DfsInputStream::BlockAt(uint64_t offset) {
  {
    std::lock_guard lock(mu_);
    if (const auto* b = FindCached(offset)) return *b;
  }
  RETURN_IF_ERROR(Fetch(offset, prefetch_bytes_).status());
  std::lock_guard lock(mu_);
  if (const auto* b = FindCached(offset)) return *b;
  return IoError("the namenode returned no block of {} at offset {} (file length {})", path_, offset, length_);
}

Status DfsInputStream::Relocate(hh::LocatedBlockProto* block, int attempt) {
  // Wait a little longer each time: re-replication or a restarting datanode needs a moment.
  std::this_thread::sleep_for(std::chrono::milliseconds(kRefetchBackoffMs * attempt));
  RETURN_IF_ERROR(Fetch(block->offset(), std::max<uint64_t>(prefetch_bytes_, 1)).status());
  std::lock_guard lock(mu_);
  // Transport failures may have been passing (a node restarted); checksum failures stand.
  dead_nodes_.clear();
  for (const auto& b : blocks_) {
    if (b.b().blockid() == block->b().blockid()) {
      spdlog::info("{}: every replica of {} failed; trying again with {} fresh location(s)", path_,
                   BlockName(block->b()), b.locs_size());
      *block = b;
      return Status::OK();
    }
  }
  return IoError("{} is no longer part of {} at offset {}", BlockName(block->b()), path_, block->offset());
}

Result<std::unique_ptr<BlockReader>> DfsInputStream::OpenReader(hh::LocatedBlockProto* block, uint64_t offset,
                                                                uint64_t len, int* refetches_of_call) {
  int& refetches = *refetches_of_call;
  bool tokens_refetched = false;
  for (;;) {
    const hh::DatanodeInfoProto* chosen = nullptr;
    {
      std::lock_guard lock(mu_);
      const auto& bad = bad_replicas_[block->b().blockid()];
      for (const auto& dn : block->locs()) {
        std::string address = NodeAddress(dn);
        if (dead_nodes_.count(address) || bad.count(address)) continue;
        if (chosen == nullptr) chosen = &dn;
        if (ctx_->local_addresses.Contains(dn.id().ipaddr())) {
          chosen = &dn;
          break;
        }
      }
      if (chosen == nullptr && refetches >= ctx_->options.read_block_acquire_attempts) return AllReplicasFailed(*block);
    }
    if (chosen == nullptr) {
      Status failed;
      {
        std::lock_guard lock(mu_);
        failed = AllReplicasFailed(*block);
      }
      Status st = Relocate(block, ++refetches);
      if (!st.ok()) return failed.WithContext(st.message());
      continue;
    }
    auto reader = BlockReader::Open(block->b(), block->blocktoken(), chosen->id(), offset, len, reader_options_);
    if (reader.ok()) return reader;
    if (reader.status().code() == ErrorCode::kPermissionDenied && !tokens_refetched) {
      // An expired token, or one signed with a key the datanode no longer holds (the
      // namenode restarted): fetch fresh tokens once and try the same node again, as HDFS.
      spdlog::info("{}: {}; fetching new block access tokens", path_, reader.status().ToString());
      tokens_refetched = true;
      RETURN_IF_ERROR(Relocate(block, 0));
      continue;
    }
    RecordFailure(*block, NodeAddress(*chosen), reader.status());
  }
}

void DfsInputStream::RecordFailure(const hh::LocatedBlockProto& block, const std::string& node, const Status& st) {
  spdlog::warn("{}: {}; trying another replica", path_, st.ToString());
  {
    std::lock_guard lock(mu_);
    if (IsTransportError(st)) {
      dead_nodes_[node] = st;
    } else {
      bad_replicas_[block.b().blockid()][node] = st;
    }
  }
  if (st.code() != ErrorCode::kChecksumMismatch) return;
  hh::ReportBadBlocksRequestProto report;
  hh::LocatedBlockProto* bad = report.add_blocks();
  *bad->mutable_b() = block.b();
  bad->set_offset(block.offset());
  bad->set_corrupt(false);
  *bad->mutable_blocktoken() = EmptyBlockToken();
  for (const auto& dn : block.locs()) {
    if (NodeAddress(dn) == node) *bad->add_locs() = dn;
  }
  Status reported = ctx_->namenode->ReportBadBlocks(report).status();
  if (!reported.ok())
    spdlog::warn("reporting the corrupt replica of {} on {} failed: {}", BlockName(block.b()), node, reported.ToString());
}

Status DfsInputStream::AllReplicasFailed(const hh::LocatedBlockProto& block) const {
  if (block.locs_size() == 0)
    return IoError("could not read {} of {} at offset {}: no datanode holds a replica", BlockName(block.b()), path_,
                   block.offset());
  std::string reasons;
  bool all_checksum = true;
  auto bad = bad_replicas_.find(block.b().blockid());
  for (const auto& dn : block.locs()) {
    std::string address = NodeAddress(dn);
    Status why = Unavailable("not tried");
    if (bad != bad_replicas_.end() && bad->second.count(address)) why = bad->second.at(address);
    else if (dead_nodes_.count(address)) why = dead_nodes_.at(address);
    all_checksum &= why.code() == ErrorCode::kChecksumMismatch;
    reasons += fmt::format("{}{} ({})", reasons.empty() ? "" : "; ", address, why.ToString());
  }
  std::string text = fmt::format("could not read {} of {} from any of its {} replicas: {}", BlockName(block.b()), path_,
                                 block.locs_size(), reasons);
  return all_checksum ? ChecksumMismatch("{}", text) : IoError("{}", text);
}

Status DfsInputStream::CheckOpen() const {
  if (closed_) return InvalidArgument("input stream of {} is closed", path_);
  return Status::OK();
}

Status DfsInputStream::OpenSequentialReader(int* refetches) {
  ASSIGN_OR_RETURN(reader_block_, BlockAt(pos_));
  const uint64_t offset = pos_ - reader_block_.offset();
  ASSIGN_OR_RETURN(reader_, OpenReader(&reader_block_, offset, BlockLength(reader_block_) - offset, refetches));
  return Status::OK();
}

Result<size_t> DfsInputStream::Read(void* buf, size_t n) {
  RETURN_IF_ERROR(CheckOpen());
  auto* out = static_cast<uint8_t*>(buf);
  size_t total = 0;
  int refetches = 0;
  while (total < n && pos_ < length_) {
    if (!reader_) {
      Status st = OpenSequentialReader(&refetches);
      if (!st.ok()) {
        if (total > 0) break;  // hand out what was read; the next call reports the error
        return st;
      }
    }
    auto got = reader_->Read(out + total, n - total);
    if (!got.ok()) {
      RecordFailure(reader_block_, reader_->node(), got.status());
      reader_.reset();
      continue;  // reopens at pos_ on another replica
    }
    if (*got == 0) {
      reader_.reset();  // end of this block
      continue;
    }
    total += *got;
    pos_ += *got;
  }
  return total;
}

Status DfsInputStream::ReadRange(hh::LocatedBlockProto block, uint64_t offset, uint64_t len, uint8_t* out) {
  int refetches = 0;
  while (len > 0) {
    ASSIGN_OR_RETURN(std::unique_ptr<BlockReader> reader, OpenReader(&block, offset, len, &refetches));
    Status st;
    while (len > 0) {
      auto got = reader->Read(out, len);
      if (!got.ok()) {
        st = got.status();
        break;
      }
      if (*got == 0) {
        st = ProtocolError("reading {} from {}: the range ended early", BlockName(block.b()), reader->node());
        break;
      }
      out += *got;
      offset += *got;
      len -= *got;
    }
    if (!st.ok()) RecordFailure(block, reader->node(), st);
  }
  return Status::OK();
}

Result<size_t> DfsInputStream::PRead(uint64_t offset, void* buf, size_t n) {
  RETURN_IF_ERROR(CheckOpen());
  if (offset >= length_) return size_t{0};
  n = static_cast<size_t>(std::min<uint64_t>(n, length_ - offset));
  auto* out = static_cast<uint8_t*>(buf);
  size_t done = 0;
  while (done < n) {
    auto block = BlockAt(offset + done);
    Status st = block.status();
    uint64_t len = 0;
    if (st.ok()) {
      const uint64_t in_block = offset + done - block->offset();
      len = std::min<uint64_t>(n - done, BlockLength(*block) - in_block);
      st = ReadRange(*block, in_block, len, out + done);
    }
    if (!st.ok()) {
      if (done > 0) return done;
      return st;
    }
    done += len;
  }
  return done;
}

Status DfsInputStream::Seek(uint64_t offset) {
  RETURN_IF_ERROR(CheckOpen());
  if (offset > length_)
    return InvalidArgument("cannot seek to offset {} past the end of {} ({} bytes)", offset, path_, length_);
  if (offset == pos_) return Status::OK();
  if (reader_ && offset > pos_ && offset - pos_ <= kMaxSkipBytes && offset - pos_ < reader_->remaining()) {
    if (reader_->Skip(offset - pos_).ok()) {
      pos_ = offset;
      return Status::OK();
    }
  }
  reader_.reset();
  pos_ = offset;
  return Status::OK();
}

Status DfsInputStream::Close() {
  reader_.reset();
  closed_ = true;
  return Status::OK();
}

}  // namespace cairn::client
