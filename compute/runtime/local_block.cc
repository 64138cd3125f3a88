#include "compute/runtime/local_block.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "common/checksum.h"

namespace cairn::compute {

namespace {
Status PreadFully(int fd, char* out, size_t n, uint64_t offset, const std::string& path) {
  while (n > 0) {
    ssize_t r = ::pread(fd, out, n, static_cast<off_t>(offset));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return ErrnoError(errno, "read " + path);
    if (r == 0) return Corruption("{} is shorter than expected (at offset {})", path, offset);
    out += r;
    n -= static_cast<size_t>(r);
    offset += static_cast<uint64_t>(r);
  }
  return Status::OK();
}
}  // namespace

Result<std::unique_ptr<LocalBlockFile>> LocalBlockFile::Open(const std::string& data_path,
                                                             const std::string& meta_path, uint64_t length) {
  int mfd = ::open(meta_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (mfd < 0) return ErrnoError(errno, "open " + meta_path);
  uint8_t header[datanode::kMetaHeaderSize];
  Status st = PreadFully(mfd, reinterpret_cast<char*>(header), sizeof header, 0, meta_path);
  Result<datanode::ChecksumSpec> spec = st.ok() ? datanode::DecodeMetaHeader(header) : Result<datanode::ChecksumSpec>(st);
  if (!spec.ok()) {
    ::close(mfd);
    return spec.status().WithContext(meta_path);
  }
  std::vector<uint8_t> crcs(spec->ChunkCount(length) * datanode::kCrcSize);
  st = PreadFully(mfd, reinterpret_cast<char*>(crcs.data()), crcs.size(), datanode::kMetaHeaderSize, meta_path);
  ::close(mfd);
  RETURN_IF_ERROR(st);
  int fd = ::open(data_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError(errno, "open " + data_path);
  struct stat sb{};
  if (::fstat(fd, &sb) != 0 || static_cast<uint64_t>(sb.st_size) < length) {
    ::close(fd);
    return Corruption("{} holds fewer than the block's {} bytes", data_path, length);
  }
  (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return std::unique_ptr<LocalBlockFile>(new LocalBlockFile(fd, data_path, length, *spec, std::move(crcs)));
}

LocalBlockFile::~LocalBlockFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status LocalBlockFile::ReadVerified(uint64_t offset, size_t n, char* out) {
  const uint32_t bpc = spec_.bytes_per_checksum;
  if (offset % bpc != 0 || offset + n > length_ || (n % bpc != 0 && offset + n != length_))
    return InvalidArgument("{}: unaligned read [{}, +{})", path_, offset, n);
  RETURN_IF_ERROR(PreadFully(fd_, out, n, offset, path_));
  const uint8_t* crcs = crcs_.data() + (offset / bpc) * datanode::kCrcSize;
  return VerifyChunkChecksums(spec_.type, bpc, {reinterpret_cast<const uint8_t*>(out), n}, crcs, offset)
      .WithContext(path_);
}

}  // namespace cairn::compute
