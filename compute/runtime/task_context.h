// TaskContextImpl: the mr::TaskContext of one task attempt: its identity and the job's
// params, user counters, the status line and the first failure any part of the task
// reported (plugins and built-ins through Fail, streaming children through their exit).
//
// Thread-safety: every method may be called from any thread (streaming's reader threads
// report counters while the task's thread maps); mu_ guards the mutable state.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>

#include "cairn/compute.pb.h"
#include "compute/counters.h"
#include "compute/include/cairn/mapreduce.h"

namespace cairn::compute {

class TaskContextImpl final : public mr::TaskContext {
 public:
  explicit TaskContextImpl(const TaskSpec& spec);

  std::string_view Param(std::string_view name) const override;
  std::string_view JobId() const override { return spec_.job_id(); }
  std::string_view TaskAttemptId() const override { return spec_.attempt_id(); }
  std::string_view InputFile() const override { return spec_.type() == MAP ? std::string_view(spec_.split().path()) : ""; }
  int TaskIndex() const override { return spec_.index(); }
  int NumReducers() const override { return spec_.num_reducers(); }
  void IncrementCounter(std::string_view group, std::string_view name, int64_t amount) override;
  void SetStatus(std::string_view status) override;
  void Fail(std::string_view message) override;

  bool failed() const { return failed_.load(std::memory_order_acquire); }
  std::string failure() const;
  std::string status() const;
  void AddUserCounters(CounterSet* set) const;
  const TaskSpec& spec() const { return spec_; }

 private:
  const TaskSpec& spec_;
  std::map<std::string, std::string, std::less<>> params_;  // fixed after construction
  std::atomic<bool> failed_{false};
  mutable std::mutex mu_;
  CounterSet user_counters_;  // guarded by mu_
  std::string status_;        // guarded by mu_
  std::string failure_;       // guarded by mu_: the first failure
};

}  // namespace cairn::compute
