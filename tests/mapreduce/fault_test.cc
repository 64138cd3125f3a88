// Failures: a datanode (and its executor) killed with SIGKILL in the middle of a job; map
// output lost from a live executor (reducers' fetches fail, the maps run again); a mapper
// that always fails; a task that runs past its timeout; jobs refused at submit.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "compute/executor/shuffle_service.h"
#include "tests/mapreduce/mr_test_util.h"

namespace cairn::testing {
namespace {

constexpr const char* kSlowMapper =
    "sleep 0.3; awk '{for (i = 1; i <= NF; i++) print $i \"\\t1\"}'";
constexpr const char* kSumReducer = "awk -F'\\t' '{s[$1] += $2} END {for (k in s) print k \"\\t\" s[k]}'";

TEST(FaultTest, DatanodeKilledMidJobStillGivesCorrectOutput) {
  MiniClusterOptions o;
  o.datanodes = 4;
  o.replication = 3;
  o.block_size = 8 * 1024;
  o.jobmaster = true;
  o.dead_interval_ms = 4000;
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(o));
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  ASSERT_OK_AND_ASSIGN(auto jobs, cluster->ConnectJobs());
  std::string text = GenerateText(30 * 8 * 1024, 21);
  ASSERT_OK(WriteFile(*fs, "/f/in", text));
  JobSpec spec;
  spec.set_kind(JobSpec::STREAMING);
  spec.set_mapper_command(kSlowMapper);
  spec.set_reducer_command(kSumReducer);
  spec.add_input_paths("/f/in");
  spec.set_output_path("/f/out");
  spec.set_reducers(2);
  ASSERT_OK_AND_ASSIGN(std::string id, jobs->Submit(spec));
  // Kill a node once some maps are done and others still run there.
  ASSERT_EVENTUALLY(jobs->Status(id).ok() && jobs->Status(id)->maps_done() >= 4, 60000);
  ASSERT_OK_AND_ASSIGN(JobReport mid, jobs->Status(id));
  ASSERT_EQ(mid.state(), JOB_RUNNING);
  ASSERT_OK(cluster->StopDatanode(1, SIGKILL));
  JobReport r;
  ASSERT_EVENTUALLY((r = *jobs->Status(id, true)).state() != JOB_RUNNING, 120000);
  ASSERT_EQ(r.state(), JOB_SUCCEEDED) << r.diagnostics();
  ASSERT_OK_AND_ASSIGN(std::string out, ReadOutput(*fs, "/f/out"));
  EXPECT_EQ(ParseCounts(out), ReferenceWordCount({text}));
  // Attempts on the dead node ended as killed (lost), not as the job's failure; maps whose
  // output lived there ran again.
  int lost = 0;
  for (const TaskReport& t : r.tasks()) {
    for (const AttemptReport& a : t.attempts()) {
      if (a.node() == cluster->datanode_address(1) && a.diagnostics().find("lost") != std::string::npos) ++lost;
    }
  }
  EXPECT_GT(lost, 0);
  EXPECT_GT(Counter(r, "rerun_maps") + Counter(r, "killed_attempts"), 0);
}

TEST(FaultTest, LostMapOutputIsFetchedInVainThenMapsRunAgain) {
  MiniClusterOptions o;
  o.datanodes = 3;
  o.replication = 2;
  o.block_size = 8 * 1024;
  o.jobmaster = true;
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(o));
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  ASSERT_OK_AND_ASSIGN(auto jobs, cluster->ConnectJobs());
  const std::string fast = GenerateText(8 * 8 * 1024, 31), slow = GenerateText(2000, 32);
  ASSERT_OK(WriteFile(*fs, "/lost/in/fast", fast));
  ASSERT_OK(WriteFile(*fs, "/lost/in/slow", slow));
  // The map of the "slow" file holds the reducers back (it waits for a local file the test
  // creates) while the others' output is removed from the executors' disks behind their back.
  const std::string release = cluster->dir() + "/release-slow-map";
  JobSpec spec;
  spec.set_kind(JobSpec::STREAMING);
  spec.set_mapper_command(fmt::format(
      "case \"$mapreduce_map_input_file\" in *slow) while [ ! -e '{}' ]; do sleep 0.05; done;; esac; "
      "awk '{{for (i = 1; i <= NF; i++) print $i \"\\t1\"}}'",
      release));
  spec.set_reducer_command(kSumReducer);
  spec.add_input_paths("/lost/in");
  spec.set_output_path("/lost/out");
  spec.set_reducers(2);
  spec.set_speculative(false);
  ASSERT_OK_AND_ASSIGN(std::string id, jobs->Submit(spec));
  JobReport mid;
  ASSERT_EVENTUALLY((mid = *jobs->Status(id, true)).maps_done() + 1 >= mid.maps_total(), 60000);
  ASSERT_EQ(mid.state(), JOB_RUNNING);
  int removed = 0;
  for (const TaskReport& t : mid.tasks()) {
    if (t.type() != MAP || t.state() != TASK_SUCCEEDED) continue;
    for (const AttemptReport& a : t.attempts()) {
      if (a.state() != ATTEMPT_SUCCEEDED) continue;
      for (int i = 0; i < o.datanodes; ++i) {
        if (cluster->datanode_address(i) != a.node()) continue;
        std::string dir = compute::MapOutputDir(cluster->datanode_data_dir(i) + "/executor", id, a.attempt_id());
        ASSERT_TRUE(std::filesystem::exists(dir)) << dir;
        std::filesystem::remove_all(dir);
        ++removed;
      }
    }
  }
  ASSERT_EQ(removed, mid.maps_total() - 1);
  ASSERT_OK(WriteLocalFile(release, ""));
  JobReport r;
  ASSERT_EVENTUALLY((r = *jobs->Status(id, true)).state() != JOB_RUNNING, 120000);
  ASSERT_EQ(r.state(), JOB_SUCCEEDED) << r.diagnostics();
  ASSERT_OK_AND_ASSIGN(std::string out, ReadOutput(*fs, "/lost/out"));
  EXPECT_EQ(ParseCounts(out), ReferenceWordCount({fast, slow}));
  EXPECT_GE(Counter(r, "rerun_maps"), removed);
  // The maps whose output went missing show why their first success no longer counts.
  int lost = 0;
  for (const TaskReport& t : r.tasks()) {
    for (const AttemptReport& a : t.attempts()) {
      if (a.diagnostics().find("could not fetch its output") != std::string::npos) ++lost;
    }
  }
  EXPECT_GE(lost, removed);
}

TEST(FaultTest, AlwaysFailingMapperFailsTheJobWithItsErrorInLogs) {
  MiniClusterOptions o;
  o.datanodes = 2;
  o.replication = 2;
  o.jobmaster = true;
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(o));
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  ASSERT_OK(WriteFile(*fs, "/in", "some input\n"));
  ASSERT_OK_AND_ASSIGN(CommandResult submit,
                       cluster->Cli({"job", "submit", "--mapper",
                                     "cat > /dev/null; echo 'ValueError: bad record 42' >&2; exit 42", "--input", "/in",
                                     "--output", "/out", "--max-attempts", "3"}));
  ASSERT_EQ(submit.exit_code, 0) << submit.out;
  std::string id = submit.out.substr(0, submit.out.find('\n'));
  ASSERT_OK_AND_ASSIGN(CommandResult wait, cluster->Cli({"job", "wait", id}));
  EXPECT_EQ(wait.exit_code, 1) << wait.out;
  EXPECT_NE(wait.out.find("FAILED"), std::string::npos) << wait.out;
  EXPECT_NE(wait.out.find("failed 3 times"), std::string::npos) << wait.out;
  // `job status` names the exit code and the command's own error, not just "failed".
  ASSERT_OK_AND_ASSIGN(CommandResult status, cluster->Cli({"job", "status", id}));
  EXPECT_EQ(status.exit_code, 0) << status.out;
  EXPECT_NE(status.out.find("exited with code 42"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("ValueError: bad record 42"), std::string::npos) << status.out;
  ASSERT_OK_AND_ASSIGN(CommandResult logs, cluster->Cli({"job", "logs", id, "--task", "m_000000"}));
  EXPECT_EQ(logs.exit_code, 0) << logs.out;
  // Every attempt, its exit code and the command's own error.
  for (int a = 0; a < 3; ++a) EXPECT_NE(logs.out.find(fmt::format("m_000000_{}", a)), std::string::npos) << logs.out;
  EXPECT_NE(logs.out.find("exited with code 42"), std::string::npos) << logs.out;
  EXPECT_NE(logs.out.find("ValueError: bad record 42"), std::string::npos) << logs.out;
  // Retries went to the other node after the first failure.
  ASSERT_OK_AND_ASSIGN(auto jobs, cluster->ConnectJobs());
  ASSERT_OK_AND_ASSIGN(JobReport r, jobs->Status(id, true));
  ASSERT_GE(r.tasks(0).attempts_size(), 2);
  EXPECT_NE(r.tasks(0).attempts(0).node(), r.tasks(0).attempts(1).node());
  // Nothing was committed, and the temporary output is gone.
  ASSERT_OK_AND_ASSIGN(auto entries, fs->List("/out"));
  EXPECT_TRUE(entries.empty());
  ASSERT_OK_AND_ASSIGN(CommandResult unknown, cluster->Cli({"job", "logs", id, "--task", "r_000009"}));
  EXPECT_EQ(unknown.exit_code, 1);
}

TEST(FaultTest, TaskPastItsTimeoutIsKilled) {
  MiniClusterOptions o;
  o.datanodes = 1;
  o.replication = 1;
  o.jobmaster = true;
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(o));
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  ASSERT_OK(WriteFile(*fs, "/in", "x\n"));
  ASSERT_OK_AND_ASSIGN(CommandResult r, cluster->Cli({"job", "submit", "--mapper", "sleep 120", "--input", "/in",
                                                       "--output", "/out", "--task-timeout", "1", "--max-attempts",
                                                       "1", "--wait"}));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("task timeout"), std::string::npos) << r.out;
}

TEST(FaultTest, BadSubmissionsAreRefusedWithClearErrors) {
  MiniClusterOptions o;
  o.datanodes = 1;
  o.replication = 1;
  o.jobmaster = true;
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(o));
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  ASSERT_OK(WriteFile(*fs, "/in", "x\n"));
  ASSERT_OK(fs->Mkdirs("/exists"));
  struct Case {
    std::vector<std::string> args;
    std::string message;
  } cases[] = {
      {{"wordcount", "--input", "/no/such/path", "--output", "/o1"}, "input path /no/such/path does not exist"},
      {{"wordcount", "--input", "/no/*.txt", "--output", "/o1"}, "input pattern /no/*.txt matches no files"},
      {{"wordcount", "--input", "/in", "--output", "/exists"}, "output path /exists already exists"},
      {{"wordcount", "--input", "/in", "--output", "relative"}, "output path"},
      {{"frobnicate", "--input", "/in", "--output", "/o1"}, "unknown built-in job 'frobnicate'"},
      {{"grep", "([", "--input", "/in", "--output", "/o1"}, "grep pattern '(['"},
      {{"wordcount", "--input", "/in", "--output", "/o1", "--memory", "100TiB"}, "more than any executor offers"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {"job", "submit"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    ASSERT_OK_AND_ASSIGN(CommandResult r, cluster->Cli(args));
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find(c.message), std::string::npos) << "want '" << c.message << "' in: " << r.out;
  }
  ASSERT_OK_AND_ASSIGN(CommandResult usage, cluster->Cli({"job", "submit", "--input", "/in"}));
  EXPECT_EQ(usage.exit_code, 2) << usage.out;
  ASSERT_OK_AND_ASSIGN(auto entries, fs->List("/"));
  for (const auto& e : entries) EXPECT_NE(e.name, "o1");
}

}  // namespace
}  // namespace cairn::testing
