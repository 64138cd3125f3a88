// The `cairn job` renderings: the progress line of `job wait`, the status page, the
// attempt logs with their --task filter, and the JSON of --json.
#include "client/cli/job_format.h"

#include <gtest/gtest.h>

namespace cairn::cli {
namespace {

void AddCounter(JobReport* job, const std::string& group, const std::string& name, int64_t value) {
  Counter* c = job->add_counters();
  c->set_group(group);
  c->set_name(name);
  c->set_value(value);
}

JobReport FailedJob() {
  JobReport job;
  job.set_job_id("job_17_0003");
  job.set_state(JOB_FAILED);
  job.set_diagnostics("map task m_000001 failed 2 times");
  job.mutable_spec()->set_kind(JobSpec::STREAMING);
  job.mutable_spec()->set_mapper_command("python3 map.py");
  job.mutable_spec()->add_input_paths("/in");
  job.set_maps_total(4);
  job.set_maps_done(3);
  job.set_map_progress(0.75f);
  job.set_reduces_total(1);
  AddCounter(&job, "cairn", "launched_maps", 5);
  AddCounter(&job, "cairn", "data_local_maps", 4);
  AddCounter(&job, "streaming", "lines", 42);
  for (int m = 0; m < 2; ++m) {
    TaskReport* t = job.add_tasks();
    t->set_task_id("task_17_0003_m_00000" + std::to_string(m));
    t->set_type(MAP);
    t->set_index(m);
    AttemptReport* a = t->add_attempts();
    a->set_attempt_id(std::string(t->task_id()).replace(0, 4, "attempt") + "_0");
    a->set_node("10.0.0.1:9866");
    a->set_locality(NODE_LOCAL);
    a->set_start_ms(1000 + m);
    a->set_finish_ms(2000 + m);
    a->set_state(m == 1 ? ATTEMPT_FAILED : ATTEMPT_SUCCEEDED);
    a->set_exit_code(m == 1 ? 3 : 0);
    a->set_status("mapping part " + std::to_string(m));
    if (m == 1) {
      a->set_diagnostics("map command 'python3 map.py' exited with code 3");
      a->set_stderr_tail("Traceback\nKeyError: 'x'");
    }
  }
  return job;
}

TEST(JobFormatTest, ProgressLineHasABarForMapsAndReduces) {
  JobReport job = FailedJob();
  EXPECT_EQ(JobProgressLine(job, 8), "map [=====>  ]  75% 3/4   reduce [        ]   0% 0/1");
  job.set_map_progress(1);
  job.set_maps_done(4);
  job.set_reduce_progress(1);
  job.set_reduces_done(1);
  EXPECT_EQ(JobProgressLine(job, 4), "map [====] 100% 4/4   reduce [====] 100% 1/1");
}

TEST(JobFormatTest, StatusShowsDataLocalShareDiagnosticsAndCounters) {
  JobReport job = FailedJob();
  EXPECT_DOUBLE_EQ(DataLocalShare(job), 0.8);
  std::string text = JobStatusText(job);
  EXPECT_NE(text.find("FAILED"), std::string::npos) << text;
  EXPECT_NE(text.find("streaming: mapper 'python3 map.py'"), std::string::npos) << text;
  EXPECT_NE(text.find("data-local:  4 of 5 map attempts (80%)"), std::string::npos) << text;
  EXPECT_NE(text.find("diagnostics: map task m_000001 failed 2 times"), std::string::npos) << text;
  EXPECT_NE(text.find("streaming.lines"), std::string::npos) << text;
  EXPECT_EQ(DataLocalShare(JobReport()), 0.0);
}

TEST(JobFormatTest, LogsFilterByTaskAndShowExitCodeAndStderr) {
  JobReport job = FailedJob();
  std::string all = JobLogsText(job, "");
  EXPECT_NE(all.find("m_000000_0"), std::string::npos) << all;
  EXPECT_NE(all.find("m_000001_0"), std::string::npos) << all;
  std::string one = JobLogsText(job, "m_000001");
  EXPECT_EQ(one.find("m_000000_0"), std::string::npos) << one;
  EXPECT_NE(one.find("FAILED  on 10.0.0.1:9866 (node-local), exit code 3"), std::string::npos) << one;
  EXPECT_NE(one.find("exited with code 3"), std::string::npos) << one;
  EXPECT_NE(one.find("status: mapping part 1\n"), std::string::npos) << one;
  EXPECT_NE(one.find("--- stderr (tail)\nTraceback\nKeyError: 'x'\n"), std::string::npos) << one;
  EXPECT_TRUE(TaskMatches("attempt_17_0003_m_000001_0", "m_000001_0"));
  EXPECT_FALSE(TaskMatches("task_17_0003_m_000011", "m_000001"));
  EXPECT_FALSE(TaskMatches("task_17_0003_m_000001", "00001"));  // only whole parts of the id
  EXPECT_FALSE(TaskMatches("task_17_0003_m_000001", "r_000001"));
}

TEST(JobFormatTest, JsonCarriesCountersByGroupAndTasks) {
  nlohmann::json j = JobToJson(FailedJob());
  EXPECT_EQ(j["state"], "FAILED");
  EXPECT_EQ(j["counters"]["cairn"]["launched_maps"], 5);
  EXPECT_EQ(j["counters"]["streaming"]["lines"], 42);
  EXPECT_DOUBLE_EQ(j["data_local_share"].get<double>(), 0.8);
  ASSERT_EQ(j["tasks"].size(), 2u);
  EXPECT_EQ(j["tasks"][1]["attempts"][0]["exit_code"], 3);
  EXPECT_EQ(j["tasks"][1]["attempts"][0]["locality"], "node-local");
  EXPECT_EQ(j["tasks"][1]["attempts"][0]["status"], "mapping part 1");
  EXPECT_EQ(j["tasks"][1]["attempts"][0]["start_ms"], 1001);
  EXPECT_EQ(j["tasks"][1]["attempts"][0]["finish_ms"], 2001);
}

}  // namespace
}  // namespace cairn::cli
