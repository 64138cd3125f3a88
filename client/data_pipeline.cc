#include "client/data_pipeline.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "client/proto_convert.h"
#include "common/clock.h"
#include "common/data_transfer.h"

namespace cairn::client {

namespace {
constexpr uint32_t kBytesPerChecksum = kDefaultBytesPerChecksum;
// How long a failed send waits for the ack stream to name the failed node.
constexpr int kSendFailureGraceMs = 5000;

hh::OpWriteBlockProto WriteOp(const PipelineSetup& s) {
  hh::OpWriteBlockProto op;
  auto* header = op.mutable_header();
  *header->mutable_baseheader()->mutable_block() = s.block;
  *header->mutable_baseheader()->mutable_token() = s.token;
  header->set_clientname(s.client_name);
  for (size_t i = 1; i < s.nodes.size(); ++i) {
    *op.add_targets() = s.nodes[i];
    op.add_targetstoragetypes(hh::DISK);
  }
  op.set_stage(s.stage);
  op.set_pipelinesize(static_cast<uint32_t>(s.nodes.size()));
  op.set_minbytesrcvd(s.min_bytes_rcvd);
  op.set_maxbytesrcvd(s.max_bytes_rcvd);
  op.set_latestgenerationstamp(s.latest_gen_stamp);
  op.mutable_requestedchecksum()->set_type(hh::CHECKSUM_CRC32C);
  op.mutable_requestedchecksum()->set_bytesperchecksum(kBytesPerChecksum);
  op.set_storagetype(hh::DISK);
  return op;
}
}  // namespace

DataPipeline::DataPipeline(PipelineSetup setup, PacketPool* pool, Socket socket)
    : setup_(std::move(setup)),
      block_name_(BlockName(setup_.block)),
      pool_(pool),
      socket_(std::move(socket)),
      in_(&socket_),
      bytes_acked_(setup_.min_bytes_rcvd),
      last_send_ms_(MonotonicMillis()) {}

Result<std::unique_ptr<DataPipeline>> DataPipeline::Open(const PipelineSetup& setup, PacketPool* pool,
                                                         std::string* bad_node) {
  const std::string name = BlockName(setup.block);
  if (setup.nodes.empty()) return IoError("no datanodes to write {} to", name);
  const std::string first = NodeAddress(setup.nodes[0]);
  *bad_node = first;
  auto sock = ConnectTcp(setup.nodes[0].id().ipaddr(), static_cast<int>(setup.nodes[0].id().xferport()),
                         setup.socket_timeout_ms);
  if (!sock.ok()) return sock.status().WithContext(fmt::format("connecting to datanode {} to write {}", first, name));
  RETURN_IF_ERROR(sock->SetTimeouts(setup.socket_timeout_ms, setup.socket_timeout_ms));
  if (setup.socket_buffer_bytes > 0) RETURN_IF_ERROR(sock->SetBufferSizes(setup.socket_buffer_bytes));

  std::unique_ptr<DataPipeline> p(new DataPipeline(setup, pool, std::move(*sock)));
  RETURN_IF_ERROR_CTX(SendOp(p->socket_, DataTransferOp::kWriteBlock, WriteOp(setup)),
                      fmt::format("sending the write of {} to datanode {}", name, first));
  hh::BlockOpResponseProto reply;
  RETURN_IF_ERROR_CTX(ReadBlockOpResponse(p->in_, &reply),
                      fmt::format("reading the write set-up reply for {} from datanode {}", name, first));
  if (reply.status() != hh::SUCCESS || !reply.firstbadlink().empty()) {
    if (!reply.firstbadlink().empty()) *bad_node = reply.firstbadlink();
    std::string what = fmt::format("write set-up of {} through {} (bad link: {})", name, first, *bad_node);
    if (reply.status() != hh::SUCCESS) return BlockOpStatus(reply, what);
    return IoError("{} failed: {}", what, reply.message());
  }
  bad_node->clear();
  p->responder_ = std::thread([raw = p.get()] { raw->RunResponder(); });
  return p;
}

DataPipeline::~DataPipeline() { Shutdown(); }

void DataPipeline::Shutdown() {
  {
    std::lock_guard lock(mu_);
    closing_ = true;
    if (!done_ && error_.ok()) error_ = Aborted("pipeline for {} was closed before its last ack", block_name_);
  }
  cv_.notify_all();
  // Wakes a responder blocked reading an ack.
  socket_.ShutdownBoth();
  if (responder_.joinable()) responder_.join();
  std::lock_guard lock(mu_);
  while (!acks_.empty()) {
    pool_->Put(std::move(acks_.front()));
    acks_.pop_front();
  }
}

Status DataPipeline::error() const {
  std::lock_guard lock(mu_);
  return error_;
}

int DataPipeline::bad_node() const {
  std::lock_guard lock(mu_);
  return bad_node_;
}

uint64_t DataPipeline::bytes_acked() const {
  std::lock_guard lock(mu_);
  return bytes_acked_;
}

std::deque<std::unique_ptr<Packet>> DataPipeline::TakeUnacked() {
  {
    std::lock_guard lock(mu_);
    closing_ = true;
    if (!done_ && error_.ok()) error_ = Aborted("pipeline for {} was stopped for recovery", block_name_);
  }
  cv_.notify_all();
  socket_.ShutdownBoth();
  if (responder_.joinable()) responder_.join();
  std::deque<std::unique_ptr<Packet>> out;
  std::lock_guard lock(mu_);
  while (!acks_.empty()) {
    if (acks_.front()->seqno == Packet::kHeartbeatSeqno) pool_->Put(std::move(acks_.front()));
    else out.push_back(std::move(acks_.front()));
    acks_.pop_front();
  }
  return out;
}

void DataPipeline::SetError(Status st) {
  {
    std::lock_guard lock(mu_);
    if (error_.ok()) error_ = std::move(st);
  }
  cv_.notify_all();
}

Status DataPipeline::SendLocked(Packet* packet) {
  hh::PacketHeaderProto header;
  header.set_offsetinblock(static_cast<int64_t>(packet->offset_in_block));
  header.set_seqno(packet->seqno);
  header.set_lastpacketinblock(packet->last);
  header.set_datalen(static_cast<int32_t>(packet->data_len));
  if (packet->sync) header.set_syncblock(true);
  return SendPacket(socket_, header, packet->checksum_span(), packet->data_span());
}

Status DataPipeline::Send(std::unique_ptr<Packet> packet) {
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !error_.ok() || acks_.size() < setup_.window_packets; });
    if (!error_.ok()) {
      acks_.push_back(std::move(packet));  // kept for recovery
      return error_;
    }
  }
  std::lock_guard send_lock(send_mu_);
  Packet* raw = packet.get();
  {
    std::lock_guard lock(mu_);
    if (!error_.ok()) {
      acks_.push_back(std::move(packet));
      return error_;
    }
    if (raw->last) closing_ = true;
    last_send_ms_ = MonotonicMillis();
    acks_.push_back(std::move(packet));
  }
  cv_.notify_all();
  // The packet stays valid: it is only recycled after its ack, which needs all of its bytes.
  Status st = SendLocked(raw);
  if (!st.ok()) {
    // The first node may have hung up after acking an error that names a downstream node:
    // let the responder read what is left before blaming the first node.
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(kSendFailureGraceMs), [&] { return done_ || !error_.ok(); });
    }
    SetError(st.WithContext(fmt::format("sending {} to datanode {}", block_name_, NodeAddress(setup_.nodes[0]))));
    return error();
  }
  return Status::OK();
}

Status DataPipeline::WaitForAcks() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !error_.ok() || acks_.empty(); });
  return error_;
}

Status DataPipeline::Close() {
  Status st = WaitForAcks();
  {
    std::unique_lock lock(mu_);
    closing_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return done_; });
  }
  if (responder_.joinable()) responder_.join();
  socket_.Close();
  return st;
}

void DataPipeline::SendHeartbeat() {
  std::lock_guard send_lock(send_mu_);
  auto packet = pool_->Get(Packet::kHeartbeatSeqno, 0, 0);
  Packet* raw = packet.get();
  {
    std::lock_guard lock(mu_);
    if (closing_ || !error_.ok()) {
      pool_->Put(std::move(packet));
      return;
    }
    last_send_ms_ = MonotonicMillis();
    acks_.push_back(std::move(packet));
  }
  Status st = SendLocked(raw);
  if (!st.ok()) SetError(st.WithContext(fmt::format("sending a heartbeat for {}", block_name_)));
}

Status DataPipeline::CheckAck(const hh::PipelineAckProto& ack, const Packet& expected, int* bad) const {
  if (ack.seqno() != expected.seqno)
    return ProtocolError("datanode {} acknowledged packet {} of {} while {} was expected",
                         NodeAddress(setup_.nodes[0]), ack.seqno(), block_name_, expected.seqno);
  const int replies = AckReplyCount(ack);
  for (int i = 0; i < replies; ++i) {
    hh::Status s = AckReply(ack, i);
    if (s == hh::SUCCESS) continue;
    *bad = i;
    std::string node = i < static_cast<int>(setup_.nodes.size()) ? NodeAddress(setup_.nodes[i]) : "?";
    std::string text = fmt::format("datanode {} (pipeline position {} of {}) replied {} for packet {} of {}", node,
                                   i + 1, setup_.nodes.size(), hh::Status_Name(s), expected.seqno, block_name_);
    if (!ack.cairn_error_message().empty()) text += " (" + ack.cairn_error_message() + ")";
    return s == hh::ERROR_CHECKSUM ? ChecksumMismatch("{}", text) : IoError("{}", text);
  }
  if (replies < static_cast<int>(setup_.nodes.size())) {
    *bad = replies;
    return IoError("datanode {} did not forward the ack of packet {} of {} from {}", NodeAddress(setup_.nodes[0]),
                   expected.seqno, block_name_, NodeAddress(setup_.nodes[replies]));
  }
  return Status::OK();
}

void DataPipeline::RunResponder() {
  const int heartbeat_ms = std::max(1000, setup_.socket_timeout_ms / 2);
  for (;;) {
    const Packet* expected = nullptr;
    {
      std::unique_lock lock(mu_);
      while (expected == nullptr) {
        if (!error_.ok() || (closing_ && acks_.empty())) {
          done_ = true;
          cv_.notify_all();
          return;
        }
        if (!acks_.empty()) {
          expected = acks_.front().get();
          break;
        }
        int64_t idle_left = last_send_ms_ + heartbeat_ms - MonotonicMillis();
        if (idle_left <= 0) {
          lock.unlock();
          SendHeartbeat();
          lock.lock();
          continue;
        }
        cv_.wait_for(lock, std::chrono::milliseconds(idle_left));
      }
    }
    hh::PipelineAckProto ack;
    int bad = 0;  // a lost connection blames the first node, as HDFS does
    Status st = ReadPipelineAck(in_, &ack);
    if (st.ok()) st = CheckAck(ack, *expected, &bad);
    else st = st.WithContext(fmt::format("waiting for acks of {} from datanode {}", block_name_,
                                         NodeAddress(setup_.nodes[0])));
    if (!st.ok()) {
      {
        std::lock_guard lock(mu_);
        if (error_.ok()) bad_node_ = bad;
      }
      SetError(st);
      continue;  // the loop head marks the responder done
    }
    std::unique_ptr<Packet> acked;
    {
      std::lock_guard lock(mu_);
      acked = std::move(acks_.front());
      acks_.pop_front();
      if (acked->seqno != Packet::kHeartbeatSeqno) bytes_acked_ = acked->offset_in_block + acked->data_len;
    }
    cv_.notify_all();
    const bool last = acked->last;
    pool_->Put(std::move(acked));
    if (last) {
      std::lock_guard lock(mu_);
      closing_ = true;
    }
  }
}

}  // namespace cairn::client
