// UserGroupResolver: a user's groups, as Hadoop's group mapping finds them. A static map
// from settings ("alice=g1,g2;bob=g3") is consulted first, then the OS user and group
// database (getpwnam_r + getgrouplist). OS answers are cached for a while, since both front
// doors ask on every connection or call.
//
// Thread-safety: GroupsFor may be called from any thread.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace cairn::namenode {

class UserGroupResolver {
 public:
  // Parses the static map; kInvalidArgument on malformed text.
  static Result<std::unique_ptr<UserGroupResolver>> Create(const std::string& static_mapping,
                                                           int64_t cache_ttl_ms = 300000);

  // Groups of `user`, primary group first; empty for an unknown user.
  std::vector<std::string> GroupsFor(const std::string& user);

 private:
  UserGroupResolver(std::unordered_map<std::string, std::vector<std::string>> fixed, int64_t ttl_ms)
      : static_(std::move(fixed)), cache_ttl_ms_(ttl_ms) {}
  static std::vector<std::string> LookUpOs(const std::string& user);

  struct Cached {
    std::vector<std::string> groups;
    int64_t expires_ms = 0;  // monotonic
  };
  const std::unordered_map<std::string, std::vector<std::string>> static_;
  const int64_t cache_ttl_ms_;
  std::mutex mu_;
  std::unordered_map<std::string, Cached> cache_;  // guarded by mu_
};

}  // namespace cairn::namenode
