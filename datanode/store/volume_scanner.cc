#include "datanode/store/volume_scanner.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <map>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/endian.h"
#include "common/meta_file.h"
#include "datanode/store/block_layout.h"

namespace cairn::datanode {

namespace fs = std::filesystem;

namespace {

struct Found {
  std::vector<std::string> data_dirs;                          // dirs holding blk_<id>
  std::vector<std::pair<uint64_t, std::string>> metas;         // (gen stamp, dir)
};

void Collect(const std::string& dir, bool recursive, std::map<uint64_t, Found>* found) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const auto& entry = *it;
    std::string name = entry.path().filename().string();
    std::error_code tec;
    if (entry.is_directory(tec)) {
      if (recursive && name.rfind("subdir", 0) == 0) Collect(entry.path().string(), true, found);
      continue;
    }
    uint64_t id = 0, gs = 0;
    if (ParseMetaFileName(name, &id, &gs)) {
      (*found)[id].metas.emplace_back(gs, dir);
    } else if (ParseBlockFileName(name, &id)) {
      (*found)[id].data_dirs.push_back(dir);
    }
  }
  if (ec) spdlog::warn("scanning {}: {}", dir, ec.message());
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

Result<uint64_t> FileSize(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return ErrnoError(errno, "stat " + path);
  return static_cast<uint64_t>(st.st_size);
}

Status PreadFully(int fd, void* buf, size_t len, uint64_t off) {
  auto* p = static_cast<uint8_t*>(buf);
  size_t done = 0;
  while (done < len) {
    ssize_t n = ::pread(fd, p + done, len - done, static_cast<off_t>(off + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError(errno, "pread");
    if (n == 0) return Corruption("file ends at {} before {}", off + done, off + len);
    done += static_cast<size_t>(n);
  }
  return Status::OK();
}

// Loads one replica whose meta and data files are both in `dir`.
Result<ScannedReplica> LoadReplica(uint64_t id, uint64_t gs, const std::string& dir, ReplicaState state) {
  std::string data_path = dir + "/" + BlockFileName(id);
  std::string meta_path = dir + "/" + MetaFileName(id, gs);
  Fd meta(::open(meta_path.c_str(), O_RDWR | O_CLOEXEC));
  if (meta.get() < 0) return ErrnoError(errno, "open " + meta_path);
  Fd data(::open(data_path.c_str(), O_RDWR | O_CLOEXEC));
  if (data.get() < 0) return ErrnoError(errno, "open " + data_path);
  uint8_t header[kMetaHeaderSize];
  RETURN_IF_ERROR_CTX(PreadFully(meta.get(), header, sizeof header, 0), meta_path);
  ASSIGN_OR_RETURN(ChecksumSpec checksum, DecodeMetaHeader(header));
  ASSIGN_OR_RETURN(uint64_t data_size, FileSize(data.get(), data_path));
  ASSIGN_OR_RETURN(uint64_t meta_size, FileSize(meta.get(), meta_path));

  ScannedReplica r{id, gs, state, dir, data_size, checksum, 0};
  if (state == ReplicaState::kFinalized) {
    if (meta_size != MetaFileSize(checksum, data_size))
      spdlog::warn("{}: meta file has {} bytes, {} bytes of data need {}", meta_path, meta_size, data_size,
                   MetaFileSize(checksum, data_size));
  } else {
    std::optional<uint32_t> tail_crc;
    ASSIGN_OR_RETURN(r.length, ValidRbwLength(data.get(), meta.get(), checksum, data_size, meta_size, &tail_crc));
    uint64_t want_meta = MetaFileSize(checksum, r.length);
    if (tail_crc) {
      const uint64_t chunk = (r.length - 1) / checksum.bytes_per_checksum;
      spdlog::warn("rbw replica {}: the CRC of its last chunk covers bytes that never reached the disk; keeping the "
                   "{} bytes there and writing their CRC",
                   BlockName(id, gs), r.length);
      uint8_t be[kCrcSize];
      StoreBigEndian32(be, *tail_crc);
      if (::pwrite(meta.get(), be, sizeof be, static_cast<off_t>(MetaOffsetOfChunk(chunk))) != sizeof be)
        return ErrnoError(errno, "write the last CRC of " + meta_path);
      if (::fdatasync(meta.get()) != 0) return ErrnoError(errno, "sync " + meta_path);
    }
    if (r.length < data_size || meta_size > want_meta) {
      spdlog::info("rbw replica {}: keeping the {} bytes with valid checksums ({} bytes of data on disk)",
                   BlockName(id, gs), r.length, data_size);
      if (::ftruncate(data.get(), static_cast<off_t>(r.length)) != 0) return ErrnoError(errno, "truncate " + data_path);
      if (::ftruncate(meta.get(), static_cast<off_t>(want_meta)) != 0) return ErrnoError(errno, "truncate " + meta_path);
      meta_size = want_meta;
    }
  }
  r.file_bytes = r.length + meta_size;
  return r;
}

}  // namespace

Result<uint32_t> ChunkCrcFromFile(int data_fd, const ChecksumSpec& checksum, uint64_t chunk_start, uint64_t end) {
  std::vector<uint8_t> buf(end - chunk_start);
  RETURN_IF_ERROR(PreadFully(data_fd, buf.data(), buf.size(), chunk_start));
  return checksum.Crc(buf.data(), buf.size());
}

Result<uint64_t> ValidRbwLength(int data_fd, int meta_fd, const ChecksumSpec& checksum, uint64_t data_size,
                                uint64_t meta_size, std::optional<uint32_t>* tail_crc) {
  tail_crc->reset();
  uint64_t bpc = checksum.bytes_per_checksum;
  uint64_t crcs = meta_size > kMetaHeaderSize ? (meta_size - kMetaHeaderSize) / kCrcSize : 0;
  uint64_t length = std::min(data_size, crcs * bpc);
  bool tail = true;
  while (length > 0) {
    uint64_t chunk = (length - 1) / bpc;
    uint8_t stored[kCrcSize];
    RETURN_IF_ERROR(PreadFully(meta_fd, stored, sizeof stored, MetaOffsetOfChunk(chunk)));
    uint32_t want = LoadBigEndian32(stored);
    std::vector<uint8_t> buf(length - chunk * bpc);
    RETURN_IF_ERROR(PreadFully(data_fd, buf.data(), buf.size(), chunk * bpc));
    if (checksum.Crc(buf.data(), buf.size()) == want) return length;
    if (tail) {
      // Data written past the CRC of a partial last chunk (the crash came between the
      // data and the meta write): keep the longest prefix of the chunk its CRC covers.
      uint32_t crc = 0;
      uint64_t best = 0;
      for (size_t i = 0; i < buf.size(); ++i) {
        crc = checksum.Crc(&buf[i], 1, crc);
        if (crc == want) best = i + 1;
      }
      if (best > 0) return chunk * bpc + best;
      // No prefix matches: the CRC is newer than the data (see the header).
      *tail_crc = crc;
      return length;
    }
    length = chunk * bpc;  // the chunk does not match its CRC: drop it
  }
  return length;
}

Result<std::vector<ScannedReplica>> ScanVolume(const std::string& root) {
  std::map<uint64_t, Found> found;
  std::string finalized_root = FinalizedRoot(root);
  std::string rbw = RbwDir(root);
  Collect(finalized_root, true, &found);
  Collect(rbw, false, &found);

  std::vector<ScannedReplica> out;
  out.reserve(found.size());
  for (auto& [id, f] : found) {
    if (f.metas.empty()) {
      for (const auto& d : f.data_dirs)
        spdlog::warn("{}/{} has no meta file; ignored", d, BlockFileName(id));
      continue;
    }
    std::sort(f.metas.begin(), f.metas.end());
    auto [gs, dir] = f.metas.back();
    for (size_t i = 0; i + 1 < f.metas.size(); ++i) {
      std::string stale = f.metas[i].second + "/" + MetaFileName(id, f.metas[i].first);
      spdlog::info("removing stale meta file {}", stale);
      ::unlink(stale.c_str());
    }
    bool data_here = std::find(f.data_dirs.begin(), f.data_dirs.end(), dir) != f.data_dirs.end();
    if (!data_here) {
      if (f.data_dirs.empty()) {
        std::string orphan = dir + "/" + MetaFileName(id, gs);
        spdlog::info("removing meta file {} without data", orphan);
        ::unlink(orphan.c_str());
        continue;
      }
      // An interrupted move: the data file follows its meta file.
      std::string from = f.data_dirs.front() + "/" + BlockFileName(id);
      std::string to = dir + "/" + BlockFileName(id);
      spdlog::info("completing interrupted move of {} to {}", from, dir);
      if (::rename(from.c_str(), to.c_str()) != 0) {
        spdlog::warn("cannot move {} to {}: {}", from, to, std::strerror(errno));
        continue;
      }
    }
    ReplicaState state = dir == rbw ? ReplicaState::kRbw : ReplicaState::kFinalized;
    auto r = LoadReplica(id, gs, dir, state);
    if (!r.ok()) {
      spdlog::warn("skipping replica {} in {}: {}", BlockName(id, gs), dir, r.status().ToString());
      continue;
    }
    out.push_back(std::move(r).value());
  }
  return out;
}

}  // namespace cairn::datanode
