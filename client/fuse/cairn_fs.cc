// CairnFs: construction, identities, the shared lookup path and shutdown.
#include "client/fuse/cairn_fs.h"

#include <spdlog/spdlog.h>

#include "client/fuse/errno_map.h"

namespace cairn::fuse {

namespace {

client::ClientOptions ClientOptionsFor(const FuseSettings& s) {
  client::ClientOptions o;
  o.namenode = s.namenode;
  o.rpc_timeout_ms = s.rpc_timeout_ms;
  o.rpc_retry_ms = s.rpc_retry_ms;
  o.socket_timeout_ms = s.socket_timeout_ms;
  return o;
}

}  // namespace

CairnFs::CairnFs(const FuseSettings& settings)
    : settings_(settings),
      clients_(ClientOptionsFor(settings)),
      attrs_(settings.attr_timeout_ms, static_cast<size_t>(settings.attr_cache_entries)) {
  read_options_.readahead_bytes = settings.readahead.bytes;
  read_options_.readahead_chunk_bytes = static_cast<uint32_t>(settings.readahead_chunk.bytes);
}

CairnFs::~CairnFs() { CloseAll(); }

std::string CairnFs::UserOf(const Caller& c) { return settings_.user.empty() ? users_.UserName(c.uid) : settings_.user; }

Result<std::shared_ptr<client::FileSystem>> CairnFs::ClientFor(const Caller& c) { return clients_.For(UserOf(c)); }

Status CairnFs::CheckConnection(const Caller& caller) {
  ASSIGN_OR_RETURN(auto fs, ClientFor(caller));
  return fs->GetServerDefaults().status();
}

std::string CairnFs::PathOf(const std::string& path, std::optional<uint64_t> fh) const {
  if (fh) {
    if (auto file = files_.Get(*fh)) return file->path();
  }
  return path;
}

Result<client::FileStatus> CairnFs::Lookup(const Caller& c, const std::string& path) {
  const std::string user = UserOf(c);
  std::optional<client::FileStatus> cached = attrs_.Get(user, path);
  client::FileStatus st;
  if (cached) {
    st = std::move(*cached);
  } else {
    ASSIGN_OR_RETURN(auto fs, clients_.For(user));
    ASSIGN_OR_RETURN(st, fs->Stat(path));
    attrs_.Put(user, st);
  }
  if (!st.is_dir) {
    if (auto written = files_.WrittenLength(path)) st.length = *written;
  }
  return st;
}

void CairnFs::NoteOpenedLength(const std::string& user, const std::string& path, uint64_t length) {
  std::optional<client::FileStatus> cached = attrs_.Get(user, path);
  if (cached && cached->length == length) return;
  if (cached) {
    cached->length = length;
    attrs_.Put(user, *cached);
  }
  // The kernel may hold this file's old size and pages: make it ask again.
  if (invalidate_kernel_) invalidate_kernel_(path);
}

int CairnFs::Changed(const char* op, const std::string& path, const Status& st) {
  attrs_.Erase(path);
  return ErrnoFor(op, path, st);
}

void CairnFs::CloseAll() {
  for (auto& file : files_.TakeAll()) {
    Status st = file->Release();
    if (!st.ok()) spdlog::warn("closing {} at unmount: {}", file->path(), st.ToString());
  }
  std::lock_guard lock(dirs_mu_);
  dirs_.clear();
}

}  // namespace cairn::fuse
