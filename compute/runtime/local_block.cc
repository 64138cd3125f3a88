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
  int fd = ::open(data_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    ::close(mfd);
    return ErrnoError(e, "open " + data_path);
  }
  auto opened = FromDescriptors(fd, mfd, length, data_path);
  ::close(fd);
  ::close(mfd);
  return opened;
}

Result<std::unique_ptr<LocalBlockFile>> LocalBlockFile::FromDescriptors(int data_fd, int meta_fd, uint64_t length,
                                                                        const std::string& name) {
  const std::string meta_name = name + " (checksums)";
  uint8_t header[kMetaHeaderSize];
  Status st = PreadFully(meta_fd, reinterpret_cast<char*>(header), sizeof header, 0, meta_name);
  Result<ChecksumSpec> spec = st.ok() ? DecodeMetaHeader(header) : Result<ChecksumSpec>(st);
  if (!spec.ok()) return spec.status().WithContext(meta_name);
  std::vector<uint8_t> crcs(spec->ChunkCount(length) * kCrcSize);
  RETURN_IF_ERROR(PreadFully(meta_fd, reinterpret_cast<char*>(crcs.data()), crcs.size(), kMetaHeaderSize, meta_name));
  struct stat sb{};
  if (::fstat(data_fd, &sb) != 0) return ErrnoError(errno, "stat " + name);
  if (static_cast<uint64_t>(sb.st_size) < length) return Corruption("{} holds fewer than the block's {} bytes", name, length);
  int fd = ::fcntl(data_fd, F_DUPFD_CLOEXEC, 3);
  if (fd < 0) return ErrnoError(errno, "dup " + name);
  (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return std::unique_ptr<LocalBlockFile>(new LocalBlockFile(fd, name, length, *spec, std::move(crcs)));
}

LocalBlockFile::~LocalBlockFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status LocalBlockFile::ReadVerified(uint64_t offset, size_t n, char* out) {
  const uint32_t bpc = spec_.bytes_per_checksum;
  if (offset % bpc != 0 || offset + n > length_ || (n % bpc != 0 && offset + n != length_))
    return InvalidArgument("{}: unaligned read [{}, +{})", path_, offset, n);
  RETURN_IF_ERROR(PreadFully(fd_, out, n, offset, path_));
  const uint8_t* crcs = crcs_.data() + (offset / bpc) * kCrcSize;
  return VerifyChunkChecksums(spec_.type, bpc, {reinterpret_cast<const uint8_t*>(out), n}, crcs, offset)
      .WithContext(path_);
}

bool HasLocalReplica(const InputSplit& split) {
  return split.has_local_block_fd() && split.has_local_meta_fd();
}

Result<std::unique_ptr<LocalBlockFile>> OpenLocalReplica(const InputSplit& split) {
  if (!HasLocalReplica(split)) return NotFound("no local replica of {} was handed over", split.path());
  return LocalBlockFile::FromDescriptors(split.local_block_fd(), split.local_meta_fd(), split.length(),
                                         "the local replica of block " + std::to_string(split.block_id()));
}

}  // namespace cairn::compute
