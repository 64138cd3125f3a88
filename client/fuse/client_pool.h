// ClientPool: one libcairn FileSystem per user the mount acts for. The namenode learns
// who calls from the client's user (sent with every call), so requests of different
// local users go through different clients; each has its own lease-holder name and
// lease renewal for the files it writes. Clients are created on first use (no call is
// made until then) and live as long as the pool.
//
// Thread-safety: For() may be called from any thread; mu_ guards the map.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "client/file_system.h"
#include "common/status.h"

namespace cairn::fuse {

class ClientPool {
 public:
  explicit ClientPool(client::ClientOptions base) : base_(std::move(base)) {}

  Result<std::shared_ptr<client::FileSystem>> For(const std::string& user);

 private:
  const client::ClientOptions base_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<client::FileSystem>> clients_;  // guarded by mu_
};

}  // namespace cairn::fuse
