#include "datanode/transfer/block_sender.h"

#include "common/checksum.h"
#include "common/data_transfer.h"
#include "common/endian.h"

namespace cairn::datanode {

namespace hh = hadoop::hdfs;

namespace {
constexpr uint64_t kRunBytes = 512 * 1024;  // per buffer half: 8 packets of 64 KiB
}

// The two halves of the read buffer, reused by every send on the same thread.
struct BlockSender::Buffers {
  std::vector<uint8_t> data[2];
  std::vector<uint8_t> crcs[2];
};

Result<BlockSender> BlockSender::Create(ReplicaReader* reader, uint64_t offset, uint64_t length, bool send_checksums,
                                       bool verify_checksums) {
  const ReplicaInfo& r = reader->replica();
  uint64_t visible = r.visible_length();
  if (offset > visible || length > visible - offset)
    return InvalidArgument("offset {} and length {} don't match {} (visible length {})", offset, length, r.Name(),
                           visible);
  uint64_t bpc = r.checksum.bytes_per_checksum;
  uint64_t start = offset - offset % bpc;
  uint64_t end = offset + length;
  if (end % bpc != 0) end = std::min(visible, end + (bpc - end % bpc));
  return BlockSender(reader, start, end, send_checksums, verify_checksums);
}

Status BlockSender::Start(Buffers& b, int slot, uint64_t from, uint64_t to) {
  const ChecksumSpec& cs = checksum();
  uint64_t first_chunk = from / cs.bytes_per_checksum;
  uint64_t chunks = cs.ChunkCount(to) - first_chunk;
  b.data[slot].resize(to - from);
  b.crcs[slot].resize(chunks * kCrcSize);
  return reader_->StartRead(slot, from, b.data[slot], first_chunk, b.crcs[slot]);
}

Status BlockSender::SendPackets(Socket& out, const std::function<Status()>& before_first_packet) {
  const ChecksumSpec& cs = checksum();
  const uint64_t bpc = cs.bytes_per_checksum;
  const uint64_t packet_bytes = std::max<uint64_t>(bpc, kDefaultPacketDataBytes / bpc * bpc);
  const uint64_t run_bytes = std::max(packet_bytes, kRunBytes / packet_bytes * packet_bytes);
  const ReplicaInfo& replica = reader_->replica();
  const bool recompute_tail = replica.state != ReplicaState::kFinalized && end_ == replica.visible_length() &&
                              end_ % bpc != 0;

  thread_local Buffers buffers;
  int64_t seqno = 0;
  uint64_t pos = start_;
  int slot = 0;
  bool in_flight[2] = {false, false};
  // Buffers must not go away under a read still in flight, whatever happens below.
  auto drain = [&] {
    for (int s = 0; s < 2; ++s) {
      if (in_flight[s]) (void)reader_->FinishRead(s);
    }
  };
  if (pos < end_) {
    Status st = Start(buffers, slot, pos, std::min(end_, pos + run_bytes));
    if (!st.ok()) return st;
    in_flight[slot] = true;
  }
  while (pos < end_) {
    uint64_t run_end = std::min(end_, pos + run_bytes);
    in_flight[slot] = false;
    Status st = reader_->FinishRead(slot);
    if (st.ok() && run_end < end_) {
      st = Start(buffers, slot ^ 1, run_end, std::min(end_, run_end + run_bytes));
      in_flight[slot ^ 1] = st.ok();
    }
    if (st.ok() && pos == start_ && before_first_packet) st = before_first_packet();
    if (!st.ok()) {
      drain();
      return st;
    }
    const uint8_t* data = buffers.data[slot].data();
    uint8_t* crcs = buffers.crcs[slot].data();
    if (recompute_tail && run_end == end_) {
      uint64_t tail = (end_ - 1) / bpc * bpc;
      StoreBigEndian32(crcs + (tail - pos) / bpc * kCrcSize, cs.Crc(data + (tail - pos), end_ - tail));
    }
    if (verify_) {
      st = VerifyChunkChecksums(cs.type, cs.bytes_per_checksum, {data, run_end - pos}, crcs, pos);
      if (!st.ok()) {
        drain();
        return st.WithContext(replica.Name());
      }
    }
    for (uint64_t p = pos; p < run_end; p += packet_bytes) {
      uint64_t n = std::min(packet_bytes, run_end - p);
      hh::PacketHeaderProto h;
      h.set_offsetinblock(static_cast<int64_t>(p));
      h.set_seqno(seqno++);
      h.set_lastpacketinblock(false);
      h.set_datalen(static_cast<int32_t>(n));
      std::span<const uint8_t> sums;
      if (send_checksums_) sums = {crcs + (p - pos) / bpc * kCrcSize, cs.ChunkCount(n) * kCrcSize};
      st = SendPacket(out, h, sums, {data + (p - pos), n});
      if (!st.ok()) {
        drain();
        return st;
      }
    }
    pos = run_end;
    slot ^= 1;
  }
  if (start_ >= end_ && before_first_packet) RETURN_IF_ERROR(before_first_packet());
  hh::PacketHeaderProto last;
  last.set_offsetinblock(static_cast<int64_t>(end_));
  last.set_seqno(seqno);
  last.set_lastpacketinblock(true);
  last.set_datalen(0);
  return SendPacket(out, last, {}, {});
}

}  // namespace cairn::datanode
