#include "compute/jobmaster/job.h"

#include <algorithm>

#include <fmt/format.h>

#include "compute/ids.h"

namespace cairn::compute {

int TaskInfo::running_attempts() const {
  int n = 0;
  for (const auto& a : attempts) n += a.state == ATTEMPT_RUNNING ? 1 : 0;
  return n;
}

int Job::maps_done() const {
  int n = 0;
  for (const auto& t : maps) n += t.state == TASK_SUCCEEDED ? 1 : 0;
  return n;
}

int Job::reduces_done() const {
  int n = 0;
  for (const auto& t : reduces) n += t.state == TASK_SUCCEEDED ? 1 : 0;
  return n;
}

std::string OneLine(const std::string& s, size_t max) {
  std::string out = s.size() > max ? s.substr(0, max) + "..." : s;
  std::replace(out.begin(), out.end(), '\n', ' ');
  return out;
}

std::string DescribeSplit(const InputSplit& split) {
  return fmt::format("{} [{}, +{})", split.path(), split.start(), split.length());
}

namespace {

float ProgressOf(const TaskInfo& t) {
  if (t.state == TASK_SUCCEEDED) return 1.0f;
  float best = 0;
  for (const auto& a : t.attempts) {
    if (a.state == ATTEMPT_RUNNING) best = std::max(best, a.progress);
  }
  return best;
}

void FillAttempt(const AttemptInfo& a, AttemptReport* r) {
  r->set_attempt_id(a.id);
  r->set_state(a.state);
  r->set_executor_id(a.executor_id);
  r->set_node(a.node);
  r->set_start_ms(a.start_ms);
  r->set_finish_ms(a.finish_ms);
  r->set_locality(a.locality);
  r->set_speculative(a.speculative);
  r->set_progress(a.progress);
  r->set_status(a.status);
  r->set_exit_code(a.exit_code);
  r->set_diagnostics(a.diagnostics);
  r->set_stderr_tail(a.stderr_tail);
  *r->mutable_counters() = a.counters;
  *r->mutable_resources() = a.resources;
}

// A gang worker's shards: "3 shards, 3.0MiB: /in [0, +1048576), ...".
std::string DescribeShards(const Job& job, const TaskInfo& t) {
  uint64_t bytes = 0;
  std::string list;
  for (int i : t.gang_splits) {
    const InputSplit& s = job.gang->splits[static_cast<size_t>(i)];
    bytes += s.length();
    if (list.size() < 200) list += (list.empty() ? "" : ", ") + DescribeSplit(s);
    else if (list.back() != '.') list += ", ...";
  }
  return fmt::format("{} shard{}, {} bytes{}{}", t.gang_splits.size(), t.gang_splits.size() == 1 ? "" : "s", bytes,
                     list.empty() ? "" : ": ", list);
}

}  // namespace

JobReport BuildReport(const Job& job, bool include_tasks) {
  JobReport r;
  r.set_job_id(job.id);
  *r.mutable_spec() = job.spec;
  r.set_state(job.state);
  r.set_submit_ms(job.submit_ms);
  r.set_finish_ms(job.finish_ms);
  r.set_maps_total(static_cast<int>(job.maps.size()));
  r.set_maps_done(job.maps_done());
  r.set_reduces_total(static_cast<int>(job.reduces.size()));
  r.set_reduces_done(job.reduces_done());
  r.set_diagnostics(job.diagnostics);
  if (job.gang) {
    r.set_gang_restarts(job.gang->restarts);
    if (job.state == JOB_RUNNING) r.set_pending_reason(job.gang->pending_reason);
  }
  CounterSet counters;
  float map_sum = 0, reduce_sum = 0;
  for (const auto* tasks : {&job.maps, &job.reduces}) {
    for (const TaskInfo& t : *tasks) {
      (t.type == MAP ? map_sum : reduce_sum) += ProgressOf(t);
      if (const AttemptInfo* w = t.winner()) counters.AddAll(w->counters);
      if (!include_tasks) continue;
      TaskReport* tr = r.add_tasks();
      tr->set_task_id(t.id);
      tr->set_type(t.type);
      tr->set_index(t.index);
      tr->set_state(t.state);
      tr->set_progress(ProgressOf(t));
      if (job.gang) tr->set_split(DescribeShards(job, t));
      else if (t.type == MAP) tr->set_split(DescribeSplit(t.split));
      for (const auto& a : t.attempts) FillAttempt(a, tr->add_attempts());
    }
  }
  r.set_map_progress(job.maps.empty() ? 1.0f : map_sum / static_cast<float>(job.maps.size()));
  r.set_reduce_progress(job.reduces.empty() ? 1.0f : reduce_sum / static_cast<float>(job.reduces.size()));
  google::protobuf::RepeatedPtrField<Counter> job_counters;
  job.job_counters.ToProto(&job_counters);
  counters.AddAll(job_counters);
  counters.ToProto(r.mutable_counters());
  return r;
}

}  // namespace cairn::compute
