// A replica's .meta file (common/meta_file.h) as a task's short-circuit read loads it from
// the descriptors the executor hands over: header, then a CRC per chunk, checked against
// the block file's bytes. The input is a split point, then the meta file, then the data.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "common/meta_file.h"
#include "compute/runtime/local_block.h"
#include "tests/fuzz/fuzz_target.h"

using namespace cairn;

namespace {
int MemoryFile(std::string_view bytes) {
  int fd = ::memfd_create("fuzz", MFD_CLOEXEC);
  if (fd < 0) return -1;
  if (::write(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) {
    ::close(fd);
    return -1;
  }
  return fd;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2 || size > (1 << 16)) return 0;
  const size_t split = std::min<size_t>(size - 2, (data[0] << 8 | data[1]));
  const std::string_view rest(reinterpret_cast<const char*>(data) + 2, size - 2);
  const std::string_view meta = rest.substr(0, split), block = rest.substr(split);
  (void)DecodeMetaHeader({reinterpret_cast<const uint8_t*>(meta.data()), std::min(meta.size(), kMetaHeaderSize)});
  const int meta_fd = MemoryFile(meta), data_fd = MemoryFile(block);
  if (meta_fd >= 0 && data_fd >= 0) {
    // The namenode's length: the data's, or one the files do not hold.
    for (uint64_t length : {static_cast<uint64_t>(block.size()), static_cast<uint64_t>(block.size()) + 1}) {
      auto file = compute::LocalBlockFile::FromDescriptors(data_fd, meta_fd, length, "blk_fuzz");
      if (!file.ok()) continue;
      std::vector<char> buf(std::min<uint64_t>(length, 1 << 16));
      const uint64_t step = std::max<uint64_t>((*file)->bytes_per_checksum(), 1);
      for (uint64_t off = 0; off < length; off += step) {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(step, length - off));
        if (n > buf.size() || !(*file)->ReadVerified(off, n, buf.data()).ok()) break;
      }
    }
  }
  if (meta_fd >= 0) ::close(meta_fd);
  if (data_fd >= 0) ::close(data_fd);
  return 0;
}

std::vector<std::string> CairnFuzzSeeds() {
  std::vector<std::string> seeds;
  for (auto [type, bpc, length] : {std::tuple{ChecksumType::kCrc32c, 512u, 1300u},
                                   std::tuple{ChecksumType::kCrc32, 16u, 40u}, std::tuple{ChecksumType::kCrc32c, 512u, 0u}}) {
    const ChecksumSpec spec{type, bpc};
    std::string block(length, '\0');
    for (size_t i = 0; i < block.size(); ++i) block[i] = static_cast<char>('a' + i % 26);
    std::string meta(kMetaHeaderSize, '\0');
    EncodeMetaHeader(spec, reinterpret_cast<uint8_t*>(meta.data()));
    for (uint64_t c = 0; c < spec.ChunkCount(length); ++c) {
      const size_t n = std::min<size_t>(bpc, length - c * bpc);
      const uint32_t crc = spec.Crc(reinterpret_cast<const uint8_t*>(block.data()) + c * bpc, n);
      for (int shift = 24; shift >= 0; shift -= 8) meta.push_back(static_cast<char>(crc >> shift));
    }
    seeds.push_back(std::string{static_cast<char>(meta.size() >> 8), static_cast<char>(meta.size() & 0xff)} + meta + block);
  }
  return seeds;
}
