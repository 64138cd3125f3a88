// The datanode transfer port's framing, as a datanode reads it from a writer: the op header,
// its delimited message, then packets (length prefix, header, checksums, data), each
// bounded before anything is allocated.
#include <sys/socket.h>
#include <unistd.h>

#include "common/data_transfer.h"
#include "common/proto_io.h"
#include "tests/fuzz/fuzz_target.h"

using namespace cairn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (1 << 16)) return 0;  // what one socket buffer holds without a reader thread
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) return 0;
  Socket writer(fds[0]), reader_socket(fds[1]);
  (void)writer.SetBufferSizes(1 << 18);
  if (!writer.WriteFully(data, size).ok()) return 0;
  writer.Close();
  BufferedReader in(&reader_socket);
  DataTransferOp op;
  if (ReadOpHeader(in, &op).ok()) {
    hadoop::hdfs::OpWriteBlockProto write;
    if (!ReadDelimited(in, &write, kMaxOpMessageBytes).ok()) return 0;
  }
  PacketReader packets;
  for (int i = 0; i < 64 && packets.Next(in).ok(); ++i) {
  }
  return 0;
}

std::vector<std::string> CairnFuzzSeeds() {
  // From the real encoders: an op, then two packets (SendPacket writes to a socket only).
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) return {};
  Socket a(fds[0]), b(fds[1]);
  hadoop::hdfs::OpWriteBlockProto op;
  op.mutable_header()->mutable_baseheader()->mutable_block()->set_poolid("BP-1");
  op.mutable_header()->mutable_baseheader()->mutable_block()->set_blockid(1073741825);
  op.mutable_header()->mutable_baseheader()->mutable_block()->set_generationstamp(1001);
  op.mutable_header()->set_clientname("c");
  op.set_stage(hadoop::hdfs::OpWriteBlockProto::PIPELINE_SETUP_CREATE);
  op.set_pipelinesize(1);
  op.set_minbytesrcvd(0);
  op.set_maxbytesrcvd(0);
  op.set_latestgenerationstamp(1001);
  op.mutable_requestedchecksum()->set_type(hadoop::hdfs::CHECKSUM_CRC32C);
  op.mutable_requestedchecksum()->set_bytesperchecksum(512);
  const std::string payload(700, 'x');
  const std::string sums(8, 's');
  for (int seq = 0; seq < 2; ++seq) {
    hadoop::hdfs::PacketHeaderProto h;
    h.set_offsetinblock(seq * 700);
    h.set_seqno(seq);
    h.set_lastpacketinblock(seq == 1);
    h.set_datalen(seq == 1 ? 0 : 700);
    (void)SendPacket(a, h, {reinterpret_cast<const uint8_t*>(sums.data()), seq == 1 ? 0u : sums.size()},
                     {reinterpret_cast<const uint8_t*>(payload.data()), seq == 1 ? 0u : payload.size()});
  }
  a.Close();
  std::string all = EncodeOp(DataTransferOp::kWriteBlock, op);  // packets follow it
  char buf[4096];
  for (;;) {
    auto n = b.ReadSome(buf, sizeof buf);
    if (!n.ok() || *n == 0) break;
    all.append(buf, *n);
  }
  return {all};
}
