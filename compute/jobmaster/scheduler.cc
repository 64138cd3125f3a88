#include "compute/jobmaster/scheduler.h"

#include <algorithm>
#include <vector>

namespace cairn::compute {

namespace {

bool Contains(const google::protobuf::RepeatedPtrField<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// Whether `task` should avoid the executor's node after failing there.
bool Avoids(const TaskInfo& task, const ExecutorInfo& exec, const std::set<std::string>& live_nodes) {
  if (!task.failed_nodes.count(exec.node)) return false;
  for (const auto& n : live_nodes) {
    if (!task.failed_nodes.count(n)) return true;  // somewhere else is still untried
  }
  return false;
}

// Whether some node could still run the task node-local: a live replica holder where the
// task has not failed.
bool LocalityPossible(const TaskInfo& task, const std::set<std::string>& live_nodes) {
  for (const auto& h : task.split.hosts()) {
    if (live_nodes.count(h) && !task.failed_nodes.count(h)) return true;
  }
  return false;
}

int64_t Median(std::vector<int64_t> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::optional<Assignment> ChooseMap(Job& job, const ExecutorInfo& exec, const std::set<std::string>& live_nodes,
                                    int64_t now, const SchedulerSettings& s, bool* any_pending) {
  const TaskInfo* rack_local = nullptr;
  const TaskInfo* any = nullptr;
  const TaskInfo* unplaceable = nullptr;
  for (const TaskInfo& t : job.maps) {
    if (t.state != TASK_PENDING) continue;
    *any_pending = true;
    if (Avoids(t, exec, live_nodes)) continue;
    if (Contains(t.split.hosts(), exec.node)) {
      job.locality_skip_since = 0;
      return Assignment{MAP, t.index, NODE_LOCAL, false};
    }
    if (rack_local == nullptr && !exec.rack.empty() && Contains(t.split.racks(), exec.rack)) rack_local = &t;
    if (any == nullptr) any = &t;
    if (unplaceable == nullptr && !LocalityPossible(t, live_nodes)) unplaceable = &t;
  }
  if (unplaceable != nullptr)
    return Assignment{MAP, unplaceable->index, LocalityOf(unplaceable->split, exec.node, exec.rack), false};
  if (any == nullptr) return std::nullopt;
  if (job.locality_skip_since == 0) job.locality_skip_since = now;
  const int64_t waited = now - job.locality_skip_since;
  if (rack_local != nullptr && waited >= s.locality_wait_node_ms)
    return Assignment{MAP, rack_local->index, RACK_LOCAL, false};
  if (waited >= static_cast<int64_t>(s.locality_wait_node_ms) + s.locality_wait_rack_ms)
    return Assignment{MAP, any->index, LocalityOf(any->split, exec.node, exec.rack), false};
  return std::nullopt;
}

std::optional<Assignment> ChooseSpeculative(const Job& job, const std::vector<TaskInfo>& tasks, const ExecutorInfo& exec,
                                            int64_t now, const SchedulerSettings& s) {
  std::vector<int64_t> durations;
  for (const TaskInfo& t : tasks) {
    if (const AttemptInfo* w = t.winner(); w != nullptr && t.done_mono_ms > 0)
      durations.push_back(t.done_mono_ms - w->start_mono_ms);
  }
  if (durations.empty()) return std::nullopt;
  const int64_t threshold =
      std::max<int64_t>(s.speculative_min_ms, static_cast<int64_t>(s.speculative_slowness * Median(durations)));
  const TaskInfo* pick = nullptr;
  int64_t longest = 0;
  for (const TaskInfo& t : tasks) {
    if (t.state != TASK_RUNNING || t.committing || t.attempts.empty()) continue;
    if (t.running_attempts() != 1) continue;
    const AttemptInfo* running = nullptr;
    bool had_backup = false;
    for (const auto& a : t.attempts) {
      if (a.state == ATTEMPT_RUNNING) running = &a;
      had_backup |= a.speculative;
    }
    if (running == nullptr || had_backup || running->node == exec.node || t.failed_nodes.count(exec.node)) continue;
    int64_t elapsed = now - running->start_mono_ms;
    if (elapsed > threshold && elapsed > longest) {
      longest = elapsed;
      pick = &t;
    }
  }
  if (pick == nullptr) return std::nullopt;
  Locality loc = pick->type == MAP ? LocalityOf(pick->split, exec.node, exec.rack) : NO_PREFERENCE;
  return Assignment{pick->type, pick->index, loc, true};
}

}  // namespace

Locality LocalityOf(const InputSplit& split, const std::string& node, const std::string& rack) {
  if (Contains(split.hosts(), node)) return NODE_LOCAL;
  if (!rack.empty() && Contains(split.racks(), rack)) return RACK_LOCAL;
  return OFF_RACK;
}

std::optional<Assignment> ChooseTask(Job& job, const ExecutorInfo& exec, const std::set<std::string>& live_nodes,
                                     int64_t now_mono_ms, const SchedulerSettings& settings) {
  if (!job.all_maps_done()) {
    bool any_pending = false;
    if (auto a = ChooseMap(job, exec, live_nodes, now_mono_ms, settings, &any_pending)) return a;
    if (any_pending || !settings.speculative || !job.spec.speculative()) return std::nullopt;
    return ChooseSpeculative(job, job.maps, exec, now_mono_ms, settings);
  }
  bool any_pending = false;
  for (const TaskInfo& t : job.reduces) {
    if (t.state != TASK_PENDING) continue;
    any_pending = true;
    if (!Avoids(t, exec, live_nodes)) return Assignment{REDUCE, t.index, NO_PREFERENCE, false};
  }
  if (any_pending || !settings.speculative || !job.spec.speculative()) return std::nullopt;
  return ChooseSpeculative(job, job.reduces, exec, now_mono_ms, settings);
}

}  // namespace cairn::compute
