#include "client/fuse/read_handle.h"

namespace cairn::fuse {

Result<size_t> ReadHandle::Read(uint64_t offset, char* buf, size_t n) {
  std::lock_guard lock(mu_);
  return ReadAt(*in_, offset, buf, n);
}

Status ReadHandle::Write(uint64_t offset, const char* data, size_t n) {
  return InvalidArgument("{} is open read-only", path());
}

Status ReadHandle::Truncate(uint64_t size) { return InvalidArgument("{} is open read-only", path()); }

Status ReadHandle::Release() {
  std::lock_guard lock(mu_);
  return in_->Close();
}

}  // namespace cairn::fuse
