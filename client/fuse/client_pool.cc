#include "client/fuse/client_pool.h"

namespace cairn::fuse {

Result<std::shared_ptr<client::FileSystem>> ClientPool::For(const std::string& user) {
  std::lock_guard lock(mu_);
  auto it = clients_.find(user);
  if (it != clients_.end()) return it->second;
  client::ClientOptions options = base_;
  options.user = user;
  ASSIGN_OR_RETURN(std::unique_ptr<client::FileSystem> fs, client::FileSystem::Connect(options));
  std::shared_ptr<client::FileSystem> shared = std::move(fs);
  clients_.emplace(user, shared);
  return shared;
}

}  // namespace cairn::fuse
