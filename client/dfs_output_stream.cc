#include "client/dfs_output_stream.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <thread>

#include "client/pipeline_recovery.h"
#include "client/proto_convert.h"
#include "common/clock.h"

namespace cairn::client {

namespace {
constexpr uint32_t kBytesPerChunk = kDefaultBytesPerChecksum;
constexpr int kFirstCompleteBackoffMs = 50;
constexpr int kMaxCompleteBackoffMs = 1000;

uint32_t PacketDataBytes(const ClientOptions& options) {
  return std::max(kBytesPerChunk, options.packet_data_bytes / kBytesPerChunk * kBytesPerChunk);
}
}  // namespace

DfsOutputStream::DfsOutputStream(std::shared_ptr<ClientContext> ctx, WritingFile file, uint64_t block_size)
    : ctx_(std::move(ctx)),
      file_(std::move(file)),
      block_size_(block_size),
      pool_(PacketDataBytes(ctx_->options), kBytesPerChunk) {
  ctx_->leases->AddWriter();
}

std::unique_ptr<DfsOutputStream> DfsOutputStream::ForCreate(std::shared_ptr<ClientContext> ctx, WritingFile file,
                                                            uint64_t block_size) {
  return std::unique_ptr<DfsOutputStream>(new DfsOutputStream(std::move(ctx), std::move(file), block_size));
}

Result<std::unique_ptr<DfsOutputStream>> DfsOutputStream::ForAppend(
    std::shared_ptr<ClientContext> ctx, WritingFile file, uint64_t block_size, uint64_t length,
    const std::optional<hh::LocatedBlockProto>& last_block) {
  std::unique_ptr<DfsOutputStream> s(new DfsOutputStream(std::move(ctx), std::move(file), block_size));
  s->pos_ = length;
  if (last_block) {
    const uint64_t used = last_block->b().numbytes();
    s->block_ = last_block->b();
    s->offset_in_block_ = used;
    if (used < block_size) {
      s->hflushed_ = true;
      auto open = ReopenForAppend(*s->ctx_, s->file_, *last_block, &s->failed_, &s->pool_);
      if (!open.ok()) {
        s->error_ = open.status();
        return open.status();  // the destructor releases the lease registration
      }
      s->block_ = open->block;
      s->pipeline_ = std::move(open->pipeline);
    }
  }
  return s;
}

DfsOutputStream::~DfsOutputStream() {
  Status st = Close();
  if (!st.ok() && error_.ok()) spdlog::warn("closing {} on destruction failed: {}", file_.path, st.ToString());
}

Status DfsOutputStream::CheckWritable() const {
  if (closed_) return InvalidArgument("output stream of {} is closed", file_.path);
  return error_;
}

Status DfsOutputStream::Fail(Status st) {
  if (!st.ok() && error_.ok()) error_ = st;
  return st;
}

Status DfsOutputStream::StartPacket() {
  if (!pipeline_) {
    auto allocated = AllocateBlock(*ctx_, file_, block_ ? &*block_ : nullptr, &excluded_, &pool_);
    if (!allocated.ok() && allocated.status().code() == ErrorCode::kIoError && !excluded_.empty()) {
      // Nodes that failed this stream earlier may be back: try once more without the list.
      spdlog::info("{}: no pipeline without the {} excluded datanode(s); trying them again", file_.path,
                   excluded_.size());
      excluded_.clear();
      allocated = AllocateBlock(*ctx_, file_, block_ ? &*block_ : nullptr, &excluded_, &pool_);
    }
    ASSIGN_OR_RETURN(OpenBlock open, std::move(allocated));
    block_ = std::move(open.block);
    pipeline_ = std::move(open.pipeline);
    offset_in_block_ = 0;
    next_seqno_ = 0;
    failed_.clear();
    recoveries_ = 0;
    hflushed_ = false;
  }
  packet_ = pool_.Get(next_seqno_++, offset_in_block_,
                      PacketCapacity(offset_in_block_, block_size_, pool_.packet_data_bytes(), kBytesPerChunk));
  return Status::OK();
}

Status DfsOutputStream::SendPacket() {
  packet_->ComputeChecksums(ChecksumType::kCrc32c, kBytesPerChunk);
  return Send(std::move(packet_));
}

Status DfsOutputStream::Send(std::unique_ptr<Packet> packet) {
  Status st = pipeline_->Send(std::move(packet));
  // A failed Send keeps the packet among the unacknowledged ones that recovery resends.
  return st.ok() ? st : Recover(st);
}

Status DfsOutputStream::Recover(Status cause) {
  std::deque<std::unique_ptr<Packet>> unacked;
  auto give_up = [&](Status st) {
    for (auto& p : unacked) pool_.Put(std::move(p));
    pipeline_.reset();
    return st;
  };
  for (;;) {
    const int limit = std::max(1, ctx_->options.pipeline_recovery_attempts);
    if (++recoveries_ > limit)
      return give_up(cause.WithContext(fmt::format("writing {} of {} (gave up after {} pipeline recoveries)",
                                                   BlockName(*block_), file_.path, limit)));
    RecoveryRequest req;
    req.block = *block_;
    req.nodes = pipeline_->nodes();
    req.bad_node = pipeline_->bad_node();
    unacked = pipeline_->TakeUnacked();
    req.bytes_acked = pipeline_->bytes_acked();
    req.bytes_sent = unacked.empty() ? req.bytes_acked : unacked.back()->offset_in_block + unacked.back()->data_len;
    req.kind = unacked.size() == 1 && unacked.front()->last ? RecoveryRequest::Kind::kClose
                                                            : RecoveryRequest::Kind::kStreaming;
    req.hflushed_or_appended = hflushed_;
    req.replication = file_.replication;
    spdlog::warn("{}: pipeline of {} failed ({}); recovering without {}", file_.path, BlockName(*block_),
                 cause.ToString(), NodeAddress(req.nodes.at(std::min<size_t>(req.bad_node, req.nodes.size() - 1))));
    pipeline_.reset();
    auto open = RecoverPipeline(*ctx_, file_, req, &failed_, &pool_);
    for (const auto& n : failed_) {
      bool known = std::any_of(excluded_.begin(), excluded_.end(),
                               [&](const hh::DatanodeInfoProto& e) { return NodeAddress(e) == NodeAddress(n); });
      if (!known) excluded_.push_back(n);
    }
    if (!open.ok())
      return give_up(open.status().WithContext(fmt::format("recovering the pipeline of {} of {} after: {}",
                                                           BlockName(*block_), file_.path, cause.ToString())));
    block_ = std::move(open->block);
    pipeline_ = std::move(open->pipeline);
    // Packets go out again in their order; on a failure they just queue for the next round.
    // The end-of-block packet waits for the acks of the data before it (see EndBlock).
    std::unique_ptr<Packet> end;
    if (!unacked.empty() && unacked.back()->last) {
      end = std::move(unacked.back());
      unacked.pop_back();
    }
    for (auto& p : unacked) (void)pipeline_->Send(std::move(p));
    unacked.clear();
    if (end) {
      (void)pipeline_->WaitForAcks();
      (void)pipeline_->Send(std::move(end));
    }
    Status st = pipeline_->error();
    if (st.ok()) return st;
    cause = st;
  }
}

Status DfsOutputStream::Write(const void* data, size_t n) {
  RETURN_IF_ERROR(CheckWritable());
  const auto* p = static_cast<const uint8_t*>(data);
  while (n > 0) {
    if (!packet_) RETURN_IF_ERROR(Fail(StartPacket()));
    const size_t take = std::min<size_t>(n, packet_->room());
    std::memcpy(packet_->free_space(), p, take);
    packet_->data_len += static_cast<uint32_t>(take);
    offset_in_block_ += take;
    pos_ += take;
    p += take;
    n -= take;
    if (packet_->room() == 0) RETURN_IF_ERROR(Fail(SendPacket()));
    if (offset_in_block_ == block_size_) RETURN_IF_ERROR(Fail(EndBlock()));
  }
  return Status::OK();
}

Status DfsOutputStream::WaitForAcks() {
  for (;;) {
    Status st = pipeline_->WaitForAcks();
    if (st.ok()) return st;
    RETURN_IF_ERROR(Recover(st));
  }
}

Status DfsOutputStream::EndBlock() {
  if (packet_) RETURN_IF_ERROR(SendPacket());
  // As HDFS: the end-of-block packet goes out once every data packet is acknowledged, so a
  // datanode finalizes its replica only when the whole pipeline has all of the data, and a
  // failure after that is finished by close recovery.
  RETURN_IF_ERROR(WaitForAcks());
  auto last = pool_.Get(next_seqno_++, offset_in_block_, 0);
  last->last = true;
  RETURN_IF_ERROR(Send(std::move(last)));
  for (;;) {
    Status st = pipeline_->Close();
    if (st.ok()) break;
    RETURN_IF_ERROR(Recover(st));
  }
  pipeline_.reset();
  block_->set_numbytes(offset_in_block_);
  return Status::OK();
}

Status DfsOutputStream::Flush(bool sync) {
  RETURN_IF_ERROR(CheckWritable());
  if (pipeline_) {
    if (!packet_ && sync) {
      // Nothing new to send, but the datanodes still have to sync what they hold.
      packet_ = pool_.Get(next_seqno_++, offset_in_block_, 0);
    }
    if (packet_) {
      packet_->sync = sync;
      RETURN_IF_ERROR(Fail(SendPacket()));
    }
    RETURN_IF_ERROR(Fail(WaitForAcks()));
    hflushed_ = true;
  }
  return Fail(ReportLength());
}

Status DfsOutputStream::Hflush() { return Flush(/*sync=*/false); }
Status DfsOutputStream::Hsync() { return Flush(/*sync=*/true); }

Status DfsOutputStream::ReportLength() {
  if (!block_) return Status::OK();  // no block yet: nothing to make visible
  hh::FsyncRequestProto req;
  req.set_src(file_.path);
  req.set_client(ctx_->client_name);
  req.set_lastblocklength(static_cast<int64_t>(offset_in_block_));
  req.set_fileid(file_.file_id);
  return ctx_->namenode->Fsync(req).status();
}

Status DfsOutputStream::Complete() {
  hh::CompleteRequestProto req;
  req.set_src(file_.path);
  req.set_clientname(ctx_->client_name);
  if (block_) *req.mutable_last() = *block_;
  req.set_fileid(file_.file_id);
  const int64_t deadline = MonotonicMillis() + ctx_->options.complete_timeout_ms;
  int backoff_ms = kFirstCompleteBackoffMs;
  for (;;) {
    ASSIGN_OR_RETURN(hh::CompleteResponseProto resp, ctx_->namenode->Complete(req));
    if (resp.result()) return Status::OK();
    if (MonotonicMillis() + backoff_ms > deadline)
      return TimedOut("could not complete file {}: its last block did not reach the minimum replication within {} ms",
                      file_.path, ctx_->options.complete_timeout_ms);
    std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms));
    backoff_ms = std::min(backoff_ms * 2, kMaxCompleteBackoffMs);
  }
}

Status DfsOutputStream::Close() {
  if (closed_) return close_status_;
  closed_ = true;
  Status st = error_;
  if (st.ok() && pipeline_) st = EndBlock();
  if (st.ok()) st = Complete();
  packet_.reset();
  pipeline_.reset();  // aborts a pipeline that failed half way
  ctx_->leases->RemoveWriter();
  close_status_ = st;
  return st;
}

}  // namespace cairn::client
