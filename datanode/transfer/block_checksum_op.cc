#include <openssl/evp.h>

#include <memory>
#include <vector>

#include "common/endian.h"
#include "datanode/transfer/ops.h"

namespace cairn::datanode {

namespace hh = hadoop::hdfs;

namespace {

constexpr uint64_t kCrcsPerRead = 16 * 1024;  // 64 KiB of CRCs per read

struct Md5 {
  Md5() : ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free) { EVP_DigestInit_ex(ctx.get(), EVP_md5(), nullptr); }
  void Update(const void* p, size_t n) { EVP_DigestUpdate(ctx.get(), p, n); }
  std::string Final() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx.get(), out, &len);
    return std::string(reinterpret_cast<char*>(out), len);
  }
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx;
};

// CRC of data bytes [from, to) of the replica, read through the store.
Result<uint32_t> CrcOfRange(ReplicaReader& reader, uint64_t from, uint64_t to) {
  std::vector<uint8_t> data(to - from);
  RETURN_IF_ERROR(reader.StartRead(0, from, data, 0, {}));
  RETURN_IF_ERROR(reader.FinishRead(0));
  return reader.replica().checksum.Crc(data.data(), data.size());
}

Result<std::string> BlockMd5(ReplicaReader& reader, uint64_t request_length) {
  const ReplicaInfo& r = reader.replica();
  const uint64_t bpc = r.checksum.bytes_per_checksum;
  const uint64_t visible = r.visible_length();
  bool whole = request_length == 0 || request_length >= visible;
  uint64_t length = whole ? visible : request_length;
  // Stored CRCs serve every full chunk, and the partial last chunk of a finalized replica
  // read whole; otherwise the tail's CRC is computed from its bytes.
  bool stored_tail = length % bpc == 0 || (whole && r.state == ReplicaState::kFinalized);
  uint64_t stored = stored_tail ? r.checksum.ChunkCount(length) : length / bpc;
  Md5 md5;
  std::vector<uint8_t> crcs;
  for (uint64_t chunk = 0; chunk < stored; chunk += kCrcsPerRead) {
    crcs.resize(std::min(kCrcsPerRead, stored - chunk) * kCrcSize);
    RETURN_IF_ERROR(reader.StartRead(0, 0, {}, chunk, crcs));
    RETURN_IF_ERROR(reader.FinishRead(0));
    md5.Update(crcs.data(), crcs.size());
  }
  if (!stored_tail) {
    ASSIGN_OR_RETURN(uint32_t crc, CrcOfRange(reader, stored * bpc, length));
    uint8_t be[kCrcSize];
    StoreBigEndian32(be, crc);
    md5.Update(be, sizeof be);
  }
  return md5.Final();
}

}  // namespace

Status ServeBlockChecksum(const XceiverContext& ctx, Socket& socket, const hh::OpBlockChecksumProto& op) {
  const auto& b = op.header().block();
  if (op.has_blockchecksumoptions() && op.blockchecksumoptions().blockchecksumtype() != hh::MD5CRC)
    return SendError(socket, hh::ERROR_UNSUPPORTED, "only MD5CRC block checksums are supported");
  Status access = CheckBlockAccess(ctx, op.header(), kBlockRead);
  if (!access.ok()) return SendError(socket, hh::ERROR_ACCESS_TOKEN, access.message());
  auto reader = ctx.store->OpenForRead(b.blockid(), b.generationstamp());
  if (reader.ok() && (*reader)->replica().gen_stamp != b.generationstamp())
    reader = Aborted("replica {} does not have the requested stamp {}", (*reader)->replica().Name(),
                     b.generationstamp());
  if (!reader.ok()) return SendError(socket, hh::ERROR, reader.status().message());
  auto md5 = BlockMd5(**reader, b.numbytes());
  if (!md5.ok()) return SendError(socket, hh::ERROR, md5.status().message());

  const ReplicaInfo& r = (*reader)->replica();
  hh::BlockOpResponseProto reply;
  reply.set_status(hh::SUCCESS);
  auto* sum = reply.mutable_checksumresponse();
  sum->set_bytespercrc(r.checksum.bytes_per_checksum);
  sum->set_crcperblock(r.checksum.ChunkCount(r.visible_length()));
  sum->set_blockchecksum(*md5);
  sum->set_crctype(static_cast<hh::ChecksumTypeProto>(r.checksum.type));
  return SendBlockOpResponse(socket, std::move(reply));
}

}  // namespace cairn::datanode
