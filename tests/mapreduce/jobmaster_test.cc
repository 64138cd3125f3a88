// The job master as a service: history that survives its restart, executors that come back
// to it, killing a job, listing, speculative backups for a straggler.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/mapreduce/mr_test_util.h"

namespace cairn::testing {
namespace {

TEST(JobMasterTest, HistorySurvivesRestartAndExecutorsReturn) {
  MiniClusterOptions o;
  o.datanodes = 2;
  o.replication = 2;
  o.block_size = 16 * 1024;
  o.jobmaster = true;
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(o));
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  std::string text = GenerateText(50 * 1024, 5);
  ASSERT_OK(WriteFile(*fs, "/in", text));
  std::string id;
  {
    ASSERT_OK_AND_ASSIGN(auto jobs, cluster->ConnectJobs());
    ASSERT_OK_AND_ASSIGN(JobReport r, RunJob(*jobs, Builtin("wordcount", {"/in"}, "/out1")));
    ASSERT_EQ(r.state(), JOB_SUCCEEDED) << r.diagnostics();
    id = r.job_id();
  }
  ASSERT_OK(cluster->RestartJobmaster());
  ASSERT_OK(cluster->WaitForExecutors(2));
  ASSERT_OK_AND_ASSIGN(auto jobs, cluster->ConnectJobs());
  ASSERT_OK_AND_ASSIGN(JobReport again, jobs->Status(id, true));
  EXPECT_EQ(again.state(), JOB_SUCCEEDED);
  EXPECT_EQ(Counter(again, "map_input_bytes"), static_cast<int64_t>(text.size()));
  EXPECT_GT(again.tasks_size(), 0);
  ASSERT_OK_AND_ASSIGN(CommandResult status, cluster->Cli({"job", "status", id, "--json"}));
  ASSERT_EQ(status.exit_code, 0) << status.out;
  EXPECT_EQ(nlohmann::json::parse(status.out)["state"], "SUCCEEDED");
  ASSERT_OK_AND_ASSIGN(CommandResult kill_done, cluster->Cli({"job", "kill", id}));
  EXPECT_EQ(kill_done.exit_code, 1);
  EXPECT_NE(kill_done.out.find("already ended (SUCCEEDED)"), std::string::npos) << kill_done.out;
  // New jobs run on the executors that re-registered, with fresh ids.
  ASSERT_OK_AND_ASSIGN(JobReport second, RunJob(*jobs, Builtin("wordcount", {"/in"}, "/out2")));
  EXPECT_EQ(second.state(), JOB_SUCCEEDED) << second.diagnostics();
  EXPECT_NE(second.job_id(), id);
  ASSERT_OK_AND_ASSIGN(CommandResult list, cluster->Cli({"job", "list"}));
  EXPECT_NE(list.out.find(id), std::string::npos) << list.out;
  EXPECT_LT(list.out.find(second.job_id()), list.out.find(id)) << "newest first: " << list.out;
}

TEST(JobMasterTest, KilledJobStopsAndCommitsNothing) {
  MiniClusterOptions o;
  o.datanodes = 2;
  o.replication = 1;
  o.jobmaster = true;
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(o));
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  ASSERT_OK(WriteFile(*fs, "/in", "line\n"));
  ASSERT_OK_AND_ASSIGN(CommandResult submit,
                       cluster->Cli({"job", "submit", "--mapper", "sleep 300", "--input", "/in", "--output", "/out"}));
  ASSERT_EQ(submit.exit_code, 0) << submit.out;
  std::string id = submit.out.substr(0, submit.out.find('\n'));
  ASSERT_OK_AND_ASSIGN(auto jobs, cluster->ConnectJobs());
  ASSERT_EVENTUALLY(jobs->Executors().ok() && [&] {
    for (const auto& e : *jobs->Executors()) if (e.running_attempts() > 0) return true;
    return false;
  }(), 30000);
  ASSERT_OK_AND_ASSIGN(CommandResult kill, cluster->Cli({"job", "kill", id}));
  EXPECT_EQ(kill.exit_code, 0) << kill.out;
  ASSERT_OK_AND_ASSIGN(CommandResult wait, cluster->Cli({"job", "wait", id}));
  EXPECT_EQ(wait.exit_code, 1) << wait.out;
  EXPECT_NE(wait.out.find("KILLED"), std::string::npos) << wait.out;
  // The task process is gone (its slot is free again) and no output was committed.
  ASSERT_EVENTUALLY([&] {
    auto list = jobs->Executors();
    if (!list.ok()) return false;
    for (const auto& e : *list) if (e.running_attempts() > 0 || e.used_slots() > 0) return false;
    return true;
  }(), 30000);
  ASSERT_OK_AND_ASSIGN(auto entries, fs->List("/out"));
  EXPECT_TRUE(entries.empty());
  ASSERT_OK_AND_ASSIGN(CommandResult again, cluster->Cli({"job", "kill", id}));
  EXPECT_EQ(again.exit_code, 0) << "killing a killed job again is fine: " << again.out;
  ASSERT_OK_AND_ASSIGN(CommandResult missing, cluster->Cli({"job", "status", "job_1_0001"}));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.out.find("no job job_1_0001"), std::string::npos) << missing.out;
}

TEST(JobMasterTest, StragglerGetsASpeculativeBackup) {
  MiniClusterOptions o;
  o.datanodes = 3;
  o.replication = 3;
  o.block_size = 4 * 1024;
  o.jobmaster = true;
  o.jobmaster_flags = {"--jobmaster_speculative_min_ms=1500"};
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(o));
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  ASSERT_OK_AND_ASSIGN(auto jobs, cluster->ConnectJobs());
  std::string text = GenerateText(8 * 4 * 1024, 6);
  ASSERT_OK(WriteFile(*fs, "/in", text));
  JobSpec spec;
  spec.set_kind(JobSpec::STREAMING);
  // The first attempt of map 0 hangs; every other attempt is quick.
  spec.set_mapper_command(
      "case \"$mapreduce_task_attempt_id\" in *_m_000000_0) sleep 300;; esac; "
      "awk '{for (i = 1; i <= NF; i++) print $i \"\\t1\"}'");
  spec.set_reducer_command("awk -F'\\t' '{s[$1] += $2} END {for (k in s) print k \"\\t\" s[k]}'");
  spec.add_input_paths("/in");
  spec.set_output_path("/out");
  int64_t start = MonotonicMillis();
  ASSERT_OK_AND_ASSIGN(JobReport r, RunJob(*jobs, spec, 120000));
  ASSERT_EQ(r.state(), JOB_SUCCEEDED) << r.diagnostics();
  EXPECT_LT(MonotonicMillis() - start, 100000);
  EXPECT_GE(Counter(r, "speculative_attempts"), 1);
  const TaskReport& map0 = r.tasks(0);
  ASSERT_EQ(map0.task_id().substr(map0.task_id().size() - 8), "m_000000");
  ASSERT_GE(map0.attempts_size(), 2);
  EXPECT_EQ(map0.attempts(0).state(), ATTEMPT_KILLED);
  EXPECT_TRUE(map0.attempts(1).speculative());
  EXPECT_EQ(map0.attempts(1).state(), ATTEMPT_SUCCEEDED);
  ASSERT_OK_AND_ASSIGN(std::string out, ReadOutput(*fs, "/out"));
  EXPECT_EQ(ParseCounts(out), ReferenceWordCount({text}));
}

}  // namespace
}  // namespace cairn::testing
