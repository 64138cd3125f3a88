#include "namenode/lease_manager.h"

namespace cairn::namenode {

void LeaseManager::Add(const std::string& client, uint64_t inode_id) {
  std::lock_guard lock(mu_);
  if (auto it = holder_.find(inode_id); it != holder_.end() && it->second != client) {
    auto old = leases_.find(it->second);
    if (old != leases_.end()) {
      old->second.files.erase(inode_id);
      if (old->second.files.empty()) leases_.erase(old);
    }
  }
  Lease& l = leases_[client];
  l.files.insert(inode_id);
  l.renewed_ms = clock_.MonotonicMillis();
  holder_[inode_id] = client;
}

void LeaseManager::Remove(const std::string& client, uint64_t inode_id) {
  std::lock_guard lock(mu_);
  auto it = leases_.find(client);
  if (it == leases_.end()) return;
  it->second.files.erase(inode_id);
  if (it->second.files.empty()) leases_.erase(it);
  if (auto h = holder_.find(inode_id); h != holder_.end() && h->second == client) holder_.erase(h);
}

void LeaseManager::RemoveFiles(const std::vector<uint64_t>& inode_ids) {
  std::lock_guard lock(mu_);
  for (uint64_t id : inode_ids) {
    auto h = holder_.find(id);
    if (h == holder_.end()) continue;
    auto it = leases_.find(h->second);
    if (it != leases_.end()) {
      it->second.files.erase(id);
      if (it->second.files.empty()) leases_.erase(it);
    }
    holder_.erase(h);
  }
}

std::string LeaseManager::HolderOf(uint64_t inode_id) const {
  std::lock_guard lock(mu_);
  auto h = holder_.find(inode_id);
  return h == holder_.end() ? std::string() : h->second;
}

bool LeaseManager::Renew(const std::string& client) {
  std::lock_guard lock(mu_);
  auto it = leases_.find(client);
  if (it == leases_.end()) return false;
  it->second.renewed_ms = clock_.MonotonicMillis();
  return true;
}

bool LeaseManager::SoftLimitExpired(const std::string& client) const {
  std::lock_guard lock(mu_);
  auto it = leases_.find(client);
  return it == leases_.end() || clock_.MonotonicMillis() - it->second.renewed_ms > soft_ms_;
}

std::vector<LeaseManager::Expired> LeaseManager::HardLimitExpired() const {
  std::vector<Expired> out;
  int64_t now = clock_.MonotonicMillis();
  std::lock_guard lock(mu_);
  for (const auto& [client, lease] : leases_) {
    if (client == kNamenodeLeaseHolder || now - lease.renewed_ms > hard_ms_) out.push_back({client, {lease.files.begin(), lease.files.end()}});
  }
  return out;
}

size_t LeaseManager::lease_count() const {
  std::lock_guard lock(mu_);
  return leases_.size();
}

size_t LeaseManager::file_count() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [client, lease] : leases_) n += lease.files.size();
  return n;
}

}  // namespace cairn::namenode
