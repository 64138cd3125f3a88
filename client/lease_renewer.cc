#include "client/lease_renewer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "client/namenode_client.h"

namespace cairn::client {

namespace {
constexpr int kRetryAfterFailureMs = 1000;
}  // namespace

LeaseRenewer::LeaseRenewer(NamenodeClient* namenode, std::string client_name, int interval_ms)
    : namenode_(namenode), client_name_(std::move(client_name)), interval_ms_(std::max(1, interval_ms)) {}

LeaseRenewer::~LeaseRenewer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LeaseRenewer::AddWriter() {
  std::lock_guard lock(mu_);
  ++writers_;
  if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
  cv_.notify_all();
}

void LeaseRenewer::RemoveWriter() {
  std::lock_guard lock(mu_);
  if (writers_ > 0) --writers_;
}

int64_t LeaseRenewer::renewals() const {
  std::lock_guard lock(mu_);
  return renewals_;
}

void LeaseRenewer::Run() {
  std::unique_lock lock(mu_);
  int wait_ms = interval_ms_;
  while (!stop_) {
    cv_.wait(lock, [&] { return stop_ || writers_ > 0; });
    // A lease was just granted by create/append: the first renewal is due one interval later.
    if (cv_.wait_for(lock, std::chrono::milliseconds(wait_ms), [&] { return stop_; })) break;
    if (writers_ == 0) continue;
    lock.unlock();
    hh::RenewLeaseRequestProto req;
    req.set_clientname(client_name_);
    Status st = namenode_->RenewLease(req).status();
    if (!st.ok()) spdlog::warn("renewLease for {} failed: {}", client_name_, st.ToString());
    lock.lock();
    if (st.ok()) ++renewals_;
    // After a failure try again soon: two missed intervals would let the soft limit pass.
    wait_ms = st.ok() ? interval_ms_ : std::min(interval_ms_, kRetryAfterFailureMs);
  }
}

}  // namespace cairn::client
