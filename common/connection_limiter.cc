#include "common/connection_limiter.h"

namespace cairn {

ConnectionLimiter::Admission ConnectionLimiter::Admit(const std::string& address) {
  if (total_ >= max_total_) return Admission::kTooMany;
  if (from(address) >= max_per_address_) return Admission::kTooManyFromAddress;
  ++total_;
  ++per_address_[address];
  return Admission::kAdmitted;
}

void ConnectionLimiter::Release(const std::string& address) {
  --total_;
  auto it = per_address_.find(address);
  if (it != per_address_.end() && --it->second <= 0) per_address_.erase(it);
}

int ConnectionLimiter::from(const std::string& address) const {
  auto it = per_address_.find(address);
  return it == per_address_.end() ? 0 : it->second;
}

}  // namespace cairn
