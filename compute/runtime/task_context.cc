#include "compute/runtime/task_context.h"

namespace cairn::compute {

TaskContextImpl::TaskContextImpl(const TaskSpec& spec) : spec_(spec) {
  for (const std::string& entry : spec.job().param_entries()) {
    size_t eq = entry.find('=');
    if (eq == std::string::npos) params_[entry] = "";
    else params_[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
}

std::string_view TaskContextImpl::Param(std::string_view name) const {
  auto it = params_.find(name);
  return it == params_.end() ? std::string_view() : std::string_view(it->second);
}

void TaskContextImpl::IncrementCounter(std::string_view group, std::string_view name, int64_t amount) {
  std::lock_guard lock(mu_);
  user_counters_.Add(group, name, amount);
}

void TaskContextImpl::SetStatus(std::string_view status) {
  std::lock_guard lock(mu_);
  status_.assign(status.data(), status.size());
}

void TaskContextImpl::Fail(std::string_view message) {
  std::lock_guard lock(mu_);
  if (failed_.load()) return;
  failure_.assign(message.data(), message.size());
  failed_.store(true, std::memory_order_release);
}

std::string TaskContextImpl::failure() const {
  std::lock_guard lock(mu_);
  return failure_;
}

std::string TaskContextImpl::status() const {
  std::lock_guard lock(mu_);
  return status_;
}

void TaskContextImpl::AddUserCounters(CounterSet* set) const {
  google::protobuf::RepeatedPtrField<Counter> list;
  {
    std::lock_guard lock(mu_);
    user_counters_.ToProto(&list);
  }
  set->AddAll(list);
}

}  // namespace cairn::compute
