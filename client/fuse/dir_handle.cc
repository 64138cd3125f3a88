#include "client/fuse/dir_handle.h"

namespace cairn::fuse {

namespace {
constexpr uint64_t kFirstEntryOffset = 2;  // offsets 0 and 1 are "." and ".."
}  // namespace

Status DirHandle::NextPage() {
  const std::string after = page_.empty() ? std::string() : page_.back().name;
  const uint64_t next_start = page_start_ + page_.size();
  ASSIGN_OR_RETURN(client::ListingPage page, fs_->ListPage(path_, after));
  page_ = std::move(page.entries);
  page_start_ = next_start;
  has_more_ = page.has_more;
  loaded_ = true;
  return Status::OK();
}

Status DirHandle::Seek(uint64_t index) {
  if (!loaded_ || index < page_start_) {
    page_.clear();
    page_start_ = 0;
    RETURN_IF_ERROR(NextPage());
  }
  while (index >= page_start_ + page_.size() && has_more_) RETURN_IF_ERROR(NextPage());
  return Status::OK();
}

Status DirHandle::ReadFrom(uint64_t offset, const Fill& fill) {
  std::lock_guard lock(mu_);
  if (offset == 0 && !fill(".", nullptr, 1)) return Status::OK();
  if (offset <= 1 && !fill("..", nullptr, 2)) return Status::OK();
  uint64_t index = offset < kFirstEntryOffset ? 0 : offset - kFirstEntryOffset;
  for (;;) {
    RETURN_IF_ERROR(Seek(index));
    if (index >= page_start_ + page_.size()) return Status::OK();  // end of the listing
    for (; index < page_start_ + page_.size(); ++index) {
      const client::FileStatus& entry = page_[index - page_start_];
      if (!fill(entry.name, &entry, index + kFirstEntryOffset + 1)) return Status::OK();
    }
  }
}

}  // namespace cairn::fuse
