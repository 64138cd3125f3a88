#include "client/fuse/open_file.h"

#include <algorithm>

namespace cairn::fuse {

std::string OpenFile::path() const {
  std::lock_guard lock(path_mu_);
  return path_;
}

void OpenFile::Renamed(const std::string& from, const std::string& to) {
  std::lock_guard lock(path_mu_);
  if (path_ == from) {
    path_ = to;
  } else if (path_.size() > from.size() && path_.compare(0, from.size(), from) == 0 &&
             (from == "/" || path_[from.size()] == '/')) {
    path_ = to + path_.substr(from == "/" ? 0 : from.size());
  }
}

Result<size_t> OpenFile::ReadAt(client::InputStream& in, uint64_t offset, char* buf, size_t n) {
  const uint64_t length = in.Length();
  if (offset >= length) return size_t{0};
  n = static_cast<size_t>(std::min<uint64_t>(n, length - offset));
  if (in.Tell() != offset) RETURN_IF_ERROR(in.Seek(offset));
  size_t done = 0;
  while (done < n) {
    ASSIGN_OR_RETURN(size_t got, in.Read(buf + done, n - done));
    if (got == 0) break;
    done += got;
  }
  return done;
}

}  // namespace cairn::fuse
