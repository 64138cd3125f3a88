#include "client/fuse/open_file_table.h"

#include <algorithm>

namespace cairn::fuse {

uint64_t OpenFileTable::Add(std::shared_ptr<OpenFile> file) {
  std::lock_guard lock(mu_);
  const uint64_t fh = next_fh_++;
  if (file->writable()) writers_.emplace(fh, file);
  files_.emplace(fh, std::move(file));
  return fh;
}

std::shared_ptr<OpenFile> OpenFileTable::Get(uint64_t fh) const {
  std::lock_guard lock(mu_);
  auto it = files_.find(fh);
  return it == files_.end() ? nullptr : it->second;
}

std::shared_ptr<OpenFile> OpenFileTable::Remove(uint64_t fh) {
  std::lock_guard lock(mu_);
  auto it = files_.find(fh);
  if (it == files_.end()) return nullptr;
  std::shared_ptr<OpenFile> file = std::move(it->second);
  files_.erase(it);
  writers_.erase(fh);
  return file;
}

std::optional<uint64_t> OpenFileTable::WrittenLength(const std::string& path) const {
  std::lock_guard lock(mu_);
  std::optional<uint64_t> longest;
  for (const auto& [fh, file] : writers_) {
    auto n = file->WrittenLength();
    if (n && file->path() == path) longest = std::max(longest.value_or(0), *n);
  }
  return longest;
}

std::shared_ptr<OpenFile> OpenFileTable::WriterOf(const std::string& path) const {
  std::lock_guard lock(mu_);
  for (const auto& [fh, file] : writers_) {
    if (file->path() == path) return file;
  }
  return nullptr;
}

void OpenFileTable::Renamed(const std::string& from, const std::string& to) {
  std::lock_guard lock(mu_);
  for (auto& [fh, file] : files_) file->Renamed(from, to);
}

std::vector<std::shared_ptr<OpenFile>> OpenFileTable::TakeAll() {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<OpenFile>> out;
  out.reserve(files_.size());
  for (auto& [fh, file] : files_) out.push_back(std::move(file));
  files_.clear();
  writers_.clear();
  return out;
}

size_t OpenFileTable::size() const {
  std::lock_guard lock(mu_);
  return files_.size();
}

}  // namespace cairn::fuse
