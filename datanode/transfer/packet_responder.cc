#include "datanode/transfer/packet_responder.h"

#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/data_transfer.h"

namespace cairn::datanode {

namespace hh = hadoop::hdfs;

PacketResponder::PacketResponder(Socket* upstream, Socket* mirror, BufferedReader* mirror_in, ReplicaWriter* writer,
                                 std::string mirror_address, size_t queue_capacity)
    : upstream_(upstream),
      mirror_(mirror),
      mirror_in_(mirror_in),
      writer_(writer),
      mirror_address_(std::move(mirror_address)),
      queue_(queue_capacity) {}

PacketResponder::~PacketResponder() { Finish(); }

void PacketResponder::Start() { thread_ = std::thread([this] { Run(); }); }

bool PacketResponder::Enqueue(const AckItem& item) { return !failed_.load() && queue_.Push(item); }

void PacketResponder::Finish() {
  queue_.Close();
  if (thread_.joinable()) thread_.join();
}

void PacketResponder::Run() {
  while (auto item = queue_.Pop()) {
    if (!HandleItem(*item)) {
      failed_ = true;
      break;
    }
    if (item->last) break;
  }
  // Unblock a receiver waiting on a full queue.
  queue_.Close();
}

bool PacketResponder::HandleItem(const AckItem& item) {
  std::vector<hh::Status> replies{item.status};
  std::string error = item.error;  // the first failure's reason travels upstream with the ack
  bool ok = item.status == hh::SUCCESS;
  if (ok && mirror_ != nullptr) {
    hh::PipelineAckProto ack;
    Status st = ReadPipelineAck(*mirror_in_, &ack);
    if (st.ok() && ack.seqno() != item.seqno)
      st = ProtocolError("mirror acked seqno {} while {} was expected", ack.seqno(), item.seqno);
    if (!st.ok()) {
      spdlog::info("mirror {} failed acking packet {}: {}", mirror_address_, item.seqno, st.ToString());
      replies.push_back(hh::ERROR);
      error = fmt::format("mirror {}: {}", mirror_address_, st.ToString());
      ok = false;
    } else {
      for (int i = 0; i < AckReplyCount(ack); ++i) {
        hh::Status s = AckReply(ack, i);
        replies.push_back(s);
        if (s != hh::SUCCESS) ok = false;
      }
      if (!ok) error = ack.cairn_error_message();
    }
  }
  if (ok && writer_ != nullptr && item.seqno >= 0) writer_->SetBytesAcked(item.end_offset);
  Status st = SendPipelineAck(*upstream_, item.seqno, replies, error);
  if (!st.ok()) {
    spdlog::debug("sending ack {} upstream failed: {}", item.seqno, st.ToString());
    return false;
  }
  return ok;
}

}  // namespace cairn::datanode
