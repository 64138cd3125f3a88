// Gang (barrier) jobs and GPU scheduling on real clusters. Executors declare GPUs through
// their settings (--executor_gpus, --executor_gpu_ids), so placement and
// CUDA_VISIBLE_DEVICES are checked on machines without a GPU.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "client/job_client.h"
#include "common/clock.h"
#include "compute/counters.h"
#include "tests/support/mini_cluster.h"
#include "tests/support/remote_file.h"
#include "tests/support/test_util.h"

namespace cairn::testing {
namespace {

// A gang worker: checks its environment, meets the other ranks at MASTER_ADDR:MASTER_PORT
// (rank 0 listens and answers once all have arrived), copies its shards out of the local
// files it was given and writes what it saw to $CAIRN_OUTPUT_DIR/env.json.
constexpr const char* kWorkerPy = R"PY(
import json, os, socket, sys, time

env = os.environ
rank, world = int(env["RANK"]), int(env["WORLD_SIZE"])
local_rank, local_world = int(env["LOCAL_RANK"]), int(env["LOCAL_WORLD_SIZE"])
assert 0 <= rank < world, (rank, world)
assert 0 <= local_rank < local_world <= world
tf = json.loads(env["TF_CONFIG"])
assert tf["task"] == {"type": "worker", "index": rank}, tf
assert len(tf["cluster"]["worker"]) == world, tf
master = (env["MASTER_ADDR"], int(env["MASTER_PORT"]))
out = env["CAIRN_OUTPUT_DIR"]

deadline = time.time() + 40
peers = []
if rank == 0:
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(master)
    server.listen(world)
    server.settimeout(max(1, deadline - time.time()))
    conns = []
    while len(conns) < world - 1:
        c, _ = server.accept()
        peers.append(int(c.makefile().readline()))
        conns.append(c)
    for c in conns:
        c.sendall(b"go\n")
        c.close()
else:
    while True:
        try:
            c = socket.create_connection(master, timeout=5)
            break
        except OSError:
            if time.time() > deadline:
                sys.exit("rank %d: no rank 0 at %s:%d" % (rank, master[0], master[1]))
            time.sleep(0.05)
    c.sendall(b"%d\n" % rank)
    assert c.makefile().readline().strip() == "go"

splits = json.loads(env["CAIRN_INPUT_SPLITS"])
with open(env["CAIRN_INPUT_SPLITS_FILE"]) as f:
    assert json.load(f) == splits
shards = []
for s in splits:
    with open(s["file"], "rb") as f:
        data = f.read(s["length"])
    assert len(data) == s["length"], (s, len(data))
    with open(os.path.join(out, "shard-%012d" % s["start"]), "wb") as f:
        f.write(data)
    shards.append({"start": s["start"], "length": s["length"], "local": s["local"]})

with open(os.path.join(out, "env.json"), "w") as f:
    json.dump({"rank": rank, "world": world, "local_rank": local_rank, "master": list(master),
               "cuda": env.get("CUDA_VISIBLE_DEVICES"), "fraction": env.get("CAIRN_GPU_FRACTION"),
               "restart": env["CAIRN_GANG_RESTART"], "peers": sorted(peers), "shards": shards}, f)
print("rank %d done: %d shards" % (rank, len(shards)))
)PY";

int64_t Counter(const JobReport& r, std::string_view name) {
  return compute::FindCounter(r.counters(), std::string(name), "cairn");
}

std::string JobIdOf(const CommandResult& r) { return r.out.substr(0, r.out.find('\n')); }

Result<JobReport> WaitForJob(client::JobClient& jobs, const std::string& id, int timeout_ms = 90000) {
  const int64_t deadline = MonotonicMillis() + timeout_ms;
  for (;;) {
    ASSIGN_OR_RETURN(JobReport r, jobs.Status(id, /*include_tasks=*/true));
    if (r.state() != JOB_RUNNING) return r;
    if (MonotonicMillis() > deadline) return TimedOut("job {} still running after {} ms", id, timeout_ms);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

std::string Text(size_t bytes, int seed) {
  std::string out;
  int i = seed;
  while (out.size() < bytes) out += fmt::format("record {:08d} of the gang test\n", i++);
  out.resize(bytes);
  return out;
}

TEST(GangJobTest, PythonWorkersStartTogetherNextToTheirShards) {
  MiniClusterOptions o;
  o.datanodes = 3;
  o.replication = 3;
  o.block_size = 64 * 1024;
  o.jobmaster = true;
  o.datanode_flags_by_index = {{"--executor_gpus=2"}, {"--executor_gpu_ids=3,5"}, {"--executor_gpus=1"}};
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(o));
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  ASSERT_OK_AND_ASSIGN(auto jobs, cluster->ConnectJobs());
  const std::string data = Text(10 * 64 * 1024 - 123, 1);
  ASSERT_OK(WriteRemoteFile(*fs, "/data/in", data));
  const std::string script = cluster->dir() + "/worker.py";
  ASSERT_OK(WriteLocalFile(script, kWorkerPy));

  ASSERT_OK_AND_ASSIGN(CommandResult submit,
                       cluster->Cli({"job", "submit", "--gang", "3", "--command", "python3 worker.py", "--files", script,
                                     "--gpus-per-worker", "1", "--input", "/data/in", "--output", "/out", "--wait"}));
  ASSERT_EQ(submit.exit_code, 0) << submit.out;
  ASSERT_OK_AND_ASSIGN(JobReport r, jobs->Status(JobIdOf(submit), /*include_tasks=*/true));
  ASSERT_EQ(r.state(), JOB_SUCCEEDED) << r.diagnostics();
  EXPECT_EQ(r.gang_restarts(), 0);
  ASSERT_EQ(r.tasks_size(), 3);

  std::set<std::string> nodes;
  std::vector<std::pair<uint64_t, std::string>> shards;  // start, bytes
  for (int rank = 0; rank < 3; ++rank) {
    const TaskReport& t = r.tasks(rank);
    ASSERT_EQ(t.attempts_size(), 1);
    const AttemptReport& a = t.attempts(0);
    nodes.insert(a.node());
    ASSERT_EQ(a.resources().gpu_ids_size(), 1) << a.DebugString();
    const std::string dir = fmt::format("/out/rank-{:05d}", rank);
    ASSERT_OK_AND_ASSIGN(std::string env_text, ReadRemoteFile(*fs, dir + "/env.json"));
    nlohmann::json env = nlohmann::json::parse(env_text);
    EXPECT_EQ(env["rank"], rank);
    EXPECT_EQ(env["world"], 3);
    EXPECT_EQ(env["master"][0], "127.0.0.1");
    EXPECT_EQ(env["restart"], "0");
    // Its own device alone, the one the job master gave it.
    EXPECT_EQ(env["cuda"], std::to_string(a.resources().gpu_ids(0)));
    EXPECT_EQ(env["fraction"], "1");
    if (a.node() == cluster->datanode_address(1)) {
      EXPECT_TRUE(a.resources().gpu_ids(0) == 3 || a.resources().gpu_ids(0) == 5) << a.resources().gpu_ids(0);
    }
    if (rank == 0) EXPECT_EQ(env["peers"], nlohmann::json({1, 2}));
    for (const auto& s : env["shards"]) {
      EXPECT_TRUE(s["local"].get<bool>()) << s.dump();  // replication 3: every block is on every node
      const uint64_t start = s["start"];
      ASSERT_OK_AND_ASSIGN(std::string bytes, ReadRemoteFile(*fs, fmt::format("{}/shard-{:012d}", dir, start)));
      shards.emplace_back(start, std::move(bytes));
    }
  }
  // One worker per node (each holds all of the input), and together the shards are the
  // input exactly once.
  EXPECT_EQ(nodes.size(), 3u);
  std::sort(shards.begin(), shards.end());
  std::string joined;
  for (const auto& [start, bytes] : shards) {
    EXPECT_EQ(start, joined.size());
    joined += bytes;
  }
  EXPECT_TRUE(joined == data) << joined.size() << " vs " << data.size();
  EXPECT_EQ(Counter(r, compute::counter::kLaunchedWorkers), 3);
  EXPECT_EQ(Counter(r, compute::counter::kShardBytesLocal), static_cast<int64_t>(data.size()));
  EXPECT_EQ(Counter(r, compute::counter::kShardBytesRemote), 0);
  EXPECT_EQ(Counter(r, compute::counter::kBytesReadLocal), static_cast<int64_t>(data.size()));
  ASSERT_OK_AND_ASSIGN(auto entries, fs->List("/out"));
  std::set<std::string> names;
  for (const auto& e : entries) names.insert(e.name);
  EXPECT_EQ(names, (std::set<std::string>{"_SUCCESS", "rank-00000", "rank-00001", "rank-00002"}));

  // The GPUs show in the admin report and the executor list.
  ASSERT_OK_AND_ASSIGN(CommandResult report, cluster->Cli({"admin", "report"}));
  ASSERT_EQ(report.exit_code, 0) << report.out;
  EXPECT_NE(report.out.find("GPUs: 2 (0 in use): 0: configured GPU 0"), std::string::npos) << report.out;
  EXPECT_NE(report.out.find("3: configured GPU 3 (configured); 5: configured GPU 5"), std::string::npos) << report.out;
  ASSERT_OK_AND_ASSIGN(CommandResult executors, cluster->Cli({"job", "executors", "--json"}));
  ASSERT_EQ(executors.exit_code, 0) << executors.out;
  int total_gpus = 0;
  for (const auto& e : nlohmann::json::parse(executors.out)) total_gpus += e["gpus"].get<int>();
  EXPECT_EQ(total_gpus, 5);
}

TEST(GangJobTest, FailingWorkerRestartsTheWholeGang) {
  MiniClusterOptions o;
  o.datanodes = 2;
  o.replication = 2;
  o.jobmaster = true;
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(o));
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  ASSERT_OK_AND_ASSIGN(auto jobs, cluster->ConnectJobs());
  ASSERT_OK(WriteRemoteFile(*fs, "/in", Text(4000, 2)));
  // First start: rank 1 fails at once while rank 0 would run for a minute; the restart
  // (CAIRN_GANG_RESTART=1) succeeds.
  const std::string command =
      "if [ \"$CAIRN_GANG_RESTART\" = 0 ]; then"
      "  if [ \"$RANK\" = 1 ]; then echo 'rank 1 gives up' >&2; exit 7; fi; sleep 60;"
      " fi; echo \"rank $RANK start $CAIRN_GANG_RESTART\" > \"$CAIRN_OUTPUT_DIR/done\"";
  const int64_t started = MonotonicMillis();
  ASSERT_OK_AND_ASSIGN(CommandResult submit, cluster->Cli({"job", "submit", "--gang", "2", "--command", command,
                                                           "--input", "/in", "--output", "/out"}));
  ASSERT_EQ(submit.exit_code, 0) << submit.out;
  ASSERT_OK_AND_ASSIGN(JobReport r, WaitForJob(*jobs, JobIdOf(submit)));
  ASSERT_EQ(r.state(), JOB_SUCCEEDED) << r.diagnostics();
  EXPECT_LT(MonotonicMillis() - started, 45000);  // rank 0's long sleep was cut short
  EXPECT_EQ(r.gang_restarts(), 1);
  EXPECT_EQ(Counter(r, compute::counter::kGangRestarts), 1);
  EXPECT_EQ(Counter(r, compute::counter::kLaunchedWorkers), 4);
  ASSERT_EQ(r.tasks_size(), 2);
  for (const TaskReport& t : r.tasks()) ASSERT_EQ(t.attempts_size(), 2) << t.DebugString();
  const AttemptReport& failed = r.tasks(1).attempts(0);
  EXPECT_EQ(failed.state(), ATTEMPT_FAILED);
  EXPECT_EQ(failed.exit_code(), 1);  // cairn-task's own code; the command's is in the diagnostics
  EXPECT_NE(failed.diagnostics().find("exited with code 7"), std::string::npos) << failed.diagnostics();
  EXPECT_NE(failed.stderr_tail().find("rank 1 gives up"), std::string::npos) << failed.stderr_tail();
  const AttemptReport& stopped = r.tasks(0).attempts(0);
  EXPECT_EQ(stopped.state(), ATTEMPT_KILLED);
  EXPECT_NE(stopped.diagnostics().find("the gang stopped"), std::string::npos) << stopped.diagnostics();
  for (int rank = 0; rank < 2; ++rank) {
    EXPECT_EQ(r.tasks(rank).attempts(1).state(), ATTEMPT_SUCCEEDED);
    ASSERT_OK_AND_ASSIGN(std::string done, ReadRemoteFile(*fs, fmt::format("/out/rank-{:05d}/done", rank)));
    EXPECT_EQ(done, fmt::format("rank {} start 1\n", rank));
  }

  // A gang that keeps failing gives up after its restarts, with the worker's error.
  ASSERT_OK_AND_ASSIGN(CommandResult doomed,
                       cluster->Cli({"job", "submit", "--gang", "2", "--command",
                                     "if [ \"$RANK\" = 0 ]; then echo 'no GPU memory' >&2; exit 3; fi; sleep 60",
                                     "--max-restarts", "1", "--wait"}));
  EXPECT_EQ(doomed.exit_code, 1) << doomed.out;
  EXPECT_NE(doomed.out.find("no restarts left (1 of 1 used)"), std::string::npos) << doomed.out;
  EXPECT_NE(doomed.out.find("exited with code 3"), std::string::npos) << doomed.out;
  ASSERT_OK_AND_ASSIGN(CommandResult logs, cluster->Cli({"job", "logs", JobIdOf(doomed)}));
  EXPECT_NE(logs.out.find("no GPU memory"), std::string::npos) << logs.out;
  EXPECT_NE(logs.out.find("worker 1"), std::string::npos) << logs.out;
}

TEST(GangJobTest, ShardsWithoutALocalReplicaAreFetchedForTheWorker) {
  // The input lives on datanode 0 alone; the worker needs a GPU, which only datanode 1 has.
  MiniClusterOptions o;
  o.datanodes = 1;
  o.replication = 1;
  o.block_size = 32 * 1024;
  o.jobmaster = true;
  o.datanode_flags_by_index = {{}, {"--executor_gpus=1"}};
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(o));
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  ASSERT_OK_AND_ASSIGN(auto jobs, cluster->ConnectJobs());
  const std::string data = Text(3 * 32 * 1024 + 500, 5);
  ASSERT_OK(WriteRemoteFile(*fs, "/in", data));
  ASSERT_OK(cluster->AddDatanode());
  ASSERT_OK(cluster->WaitForExecutors(2));
  const std::string script = cluster->dir() + "/worker.py";
  ASSERT_OK(WriteLocalFile(script, kWorkerPy));
  ASSERT_OK_AND_ASSIGN(CommandResult submit,
                       cluster->Cli({"job", "submit", "--gang", "1", "--command", "python3 worker.py", "--files", script,
                                     "--gpus-per-worker", "1", "--input", "/in", "--output", "/out", "--wait"}));
  ASSERT_EQ(submit.exit_code, 0) << submit.out;
  ASSERT_OK_AND_ASSIGN(JobReport r, jobs->Status(JobIdOf(submit), true));
  ASSERT_EQ(r.tasks(0).attempts_size(), 1);
  EXPECT_EQ(r.tasks(0).attempts(0).node(), cluster->datanode_address(1));
  EXPECT_NE(r.tasks(0).attempts(0).locality(), NODE_LOCAL);
  ASSERT_OK_AND_ASSIGN(std::string env_text, ReadRemoteFile(*fs, "/out/rank-00000/env.json"));
  nlohmann::json env = nlohmann::json::parse(env_text);
  std::string joined;
  ASSERT_EQ(env["shards"].size(), 4u);
  for (const auto& s : env["shards"]) {
    EXPECT_FALSE(s["local"].get<bool>()) << s.dump();
    ASSERT_OK_AND_ASSIGN(std::string bytes,
                         ReadRemoteFile(*fs, fmt::format("/out/rank-00000/shard-{:012d}", s["start"].get<uint64_t>())));
    joined += bytes;
  }
  EXPECT_TRUE(joined == data) << joined.size() << " vs " << data.size();
  EXPECT_EQ(Counter(r, compute::counter::kShardBytesRemote), static_cast<int64_t>(data.size()));
  EXPECT_EQ(Counter(r, compute::counter::kBytesReadRemote), static_cast<int64_t>(data.size()));
  EXPECT_EQ(Counter(r, compute::counter::kBytesReadLocal), 0);
}

TEST(GangJobTest, LosingAWorkersNodeRestartsTheGangElsewhere) {
  MiniClusterOptions o;
  o.datanodes = 3;
  o.replication = 2;
  o.jobmaster = true;
  o.dead_interval_ms = 4000;
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(o));
  ASSERT_OK_AND_ASSIGN(auto jobs, cluster->ConnectJobs());
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  ASSERT_OK_AND_ASSIGN(
      CommandResult submit,
      cluster->Cli({"job", "submit", "--gang", "2", "--output", "/out", "--command",
                    "if [ \"$CAIRN_GANG_RESTART\" = 0 ]; then sleep 60; fi; echo ok > \"$CAIRN_OUTPUT_DIR/done\""}));
  ASSERT_EQ(submit.exit_code, 0) << submit.out;
  const std::string id = JobIdOf(submit);
  // Both workers run (their executors report them), then rank 1's node dies.
  ASSERT_EVENTUALLY(jobs->Status(id, true).ok() && jobs->Status(id, true)->tasks(0).attempts_size() == 1 &&
                        jobs->Status(id, true)->tasks(1).attempts_size() == 1 &&
                        jobs->Status(id, true)->tasks(1).attempts(0).status() == "running" &&
                        jobs->Status(id, true)->tasks(0).attempts(0).status() == "running",
                    30000);
  ASSERT_OK_AND_ASSIGN(JobReport running, jobs->Status(id, true));
  const std::string lost_node = running.tasks(1).attempts(0).node();
  ASSERT_NE(lost_node, running.tasks(0).attempts(0).node());  // one worker per node
  int lost = -1;
  for (int i = 0; i < cluster->num_datanodes(); ++i) {
    if (cluster->datanode_address(i) == lost_node) lost = i;
  }
  ASSERT_GE(lost, 0);
  ASSERT_OK(cluster->StopDatanode(lost, SIGKILL));
  ASSERT_OK_AND_ASSIGN(JobReport r, WaitForJob(*jobs, id, 60000));
  ASSERT_EQ(r.state(), JOB_SUCCEEDED) << r.diagnostics();
  EXPECT_EQ(r.gang_restarts(), 1);
  EXPECT_EQ(r.tasks(1).attempts(0).state(), ATTEMPT_KILLED);
  EXPECT_NE(r.tasks(1).attempts(0).diagnostics().find("lost"), std::string::npos) << r.tasks(1).attempts(0).diagnostics();
  EXPECT_EQ(r.tasks(0).attempts(0).state(), ATTEMPT_KILLED);  // stopped with the gang
  for (const TaskReport& t : r.tasks()) {
    ASSERT_EQ(t.attempts_size(), 2);
    EXPECT_NE(t.attempts(1).node(), lost_node);
    EXPECT_EQ(t.attempts(1).state(), ATTEMPT_SUCCEEDED);
  }
  ASSERT_OK_AND_ASSIGN(std::string done, ReadRemoteFile(*fs, "/out/rank-00001/done"));
  EXPECT_EQ(done, "ok\n");
}

TEST(GangJobTest, ImpossibleRequestsAreRefusedAndBusyGangsWaitWithAReason) {
  MiniClusterOptions o;
  o.datanodes = 2;
  o.replication = 2;
  o.jobmaster = true;
  o.datanode_flags_by_index = {{"--executor_gpus=2"}, {"--executor_gpus=1"}};
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(o));
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  ASSERT_OK_AND_ASSIGN(auto jobs, cluster->ConnectJobs());
  ASSERT_OK(WriteRemoteFile(*fs, "/in", Text(1000, 3)));
  struct Case {
    std::vector<std::string> args;
    std::string message;
  } cases[] = {
      {{"--gang", "1", "--command", "true", "--gpus-per-worker", "4"},
       "a gang worker asks for 1 slot, 512MiB, 4 GPUs, more than any executor offers (the most GPUs on one executor: 2)"},
      {{"--gang", "4", "--command", "true", "--gpus-per-worker", "1"},
       "a gang of 4 workers (1 slot, 512MiB, 1 GPU each) can never be placed: the 2 executors have room for at most 3"},
      {{"wordcount", "--input", "/in", "--output", "/o", "--gpus", "3"}, "a task asks for 1 slot, 512MiB, 3 GPUs"},
      {{"--gang", "1", "--command", "true", "--gpus-per-worker", "1.5"}, "whole GPUs or a fraction below 1"},
      {{"--gang", "2", "--command", "true", "--input", "/no/such"}, "/no/such does not exist"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {"job", "submit"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    ASSERT_OK_AND_ASSIGN(CommandResult r, cluster->Cli(args));
    EXPECT_NE(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find(c.message), std::string::npos) << "want '" << c.message << "' in: " << r.out;
  }

  // A gang holding every GPU until told to stop, then one more GPU gang: it waits, with its
  // reason in `job status`, and starts no worker until the first gang is done.
  const std::string release = cluster->dir() + "/release";
  ASSERT_OK_AND_ASSIGN(
      CommandResult first,
      cluster->Cli({"job", "submit", "--gang", "3", "--gpus-per-worker", "1", "--command",
                    fmt::format("for i in $(seq 600); do [ -e {} ] && exit 0; sleep 0.1; done; exit 1", release)}));
  ASSERT_EQ(first.exit_code, 0) << first.out;
  ASSERT_EVENTUALLY(jobs->Status(JobIdOf(first), true).ok() && jobs->Status(JobIdOf(first), true)->tasks(2).attempts_size() == 1,
                    30000);
  ASSERT_OK_AND_ASSIGN(CommandResult second,
                       cluster->Cli({"job", "submit", "--gang", "1", "--gpus-per-worker", "0.5", "--command", "true"}));
  ASSERT_EQ(second.exit_code, 0) << second.out;
  const std::string second_id = JobIdOf(second);
  ASSERT_EVENTUALLY(!jobs->Status(second_id)->pending_reason().empty(), 10000);
  ASSERT_OK_AND_ASSIGN(CommandResult status, cluster->Cli({"job", "status", second_id}));
  EXPECT_NE(status.out.find("RUNNING"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("waiting:     waiting for resources: 0 of 1 workers (1 slot, 512MiB, 0.5 GPU each)"),
            std::string::npos)
      << status.out;
  ASSERT_OK_AND_ASSIGN(JobReport waiting, jobs->Status(second_id, true));
  EXPECT_EQ(waiting.tasks(0).attempts_size(), 0);
  ASSERT_OK(WriteLocalFile(release, ""));
  ASSERT_OK_AND_ASSIGN(JobReport done_first, WaitForJob(*jobs, JobIdOf(first)));
  EXPECT_EQ(done_first.state(), JOB_SUCCEEDED) << done_first.diagnostics();
  std::set<std::pair<std::string, int>> devices;  // (node, device): three distinct ones
  for (const TaskReport& t : done_first.tasks()) devices.insert({t.attempts(0).node(), t.attempts(0).resources().gpu_ids(0)});
  EXPECT_EQ(devices.size(), 3u);
  ASSERT_OK_AND_ASSIGN(JobReport done_second, WaitForJob(*jobs, second_id));
  EXPECT_EQ(done_second.state(), JOB_SUCCEEDED) << done_second.diagnostics();
  EXPECT_TRUE(done_second.pending_reason().empty());
}

TEST(GangJobTest, MapTasksShareGpusOnlyWhereThereAreGpusAndStayDataLocal) {
  MiniClusterOptions o;
  o.datanodes = 3;
  o.replication = 3;
  o.block_size = 16 * 1024;
  o.jobmaster = true;
  o.executor_slots = 4;
  o.datanode_flags_by_index = {{"--executor_gpus=1"}, {"--executor_gpu_ids=2"}, {}};
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(o));
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  ASSERT_OK_AND_ASSIGN(auto jobs, cluster->ConnectJobs());
  ASSERT_OK(WriteRemoteFile(*fs, "/in", Text(8 * 16 * 1024, 4)));
  ASSERT_OK_AND_ASSIGN(CommandResult gpu_job,
                       cluster->Cli({"job", "submit", "--mapper",
                                     "cat > /dev/null; echo \"[$CUDA_VISIBLE_DEVICES] $CAIRN_GPU_FRACTION\"; sleep 0.5",
                                     "--reducers", "0", "--gpus", "0.5", "--input", "/in", "--output", "/gpu-out", "--wait"}));
  ASSERT_EQ(gpu_job.exit_code, 0) << gpu_job.out;
  ASSERT_OK_AND_ASSIGN(JobReport r, jobs->Status(JobIdOf(gpu_job), true));
  ASSERT_EQ(r.tasks_size(), 8);
  for (const TaskReport& t : r.tasks()) {
    for (const AttemptReport& a : t.attempts()) {
      EXPECT_NE(a.node(), cluster->datanode_address(2)) << "a GPU task ran on the node without GPUs";
      ASSERT_EQ(a.resources().gpu_ids_size(), 1);
      EXPECT_EQ(a.resources().gpu_ids(0), a.node() == cluster->datanode_address(0) ? 0 : 2);
    }
  }
  EXPECT_EQ(Counter(r, compute::counter::kDataLocalMaps), Counter(r, compute::counter::kLaunchedMaps));
  ASSERT_OK_AND_ASSIGN(auto entries, fs->List("/gpu-out"));
  int lines = 0;
  for (const auto& e : entries) {
    if (e.name.rfind("part-", 0) != 0) continue;
    ASSERT_OK_AND_ASSIGN(std::string part, ReadRemoteFile(*fs, e.path));
    EXPECT_TRUE(part == "[0] 0.5\n" || part == "[2] 0.5\n") << part;
    ++lines;
  }
  EXPECT_EQ(lines, 8);

  // Tasks without GPUs see none.
  ASSERT_OK_AND_ASSIGN(CommandResult cpu_job,
                       cluster->Cli({"job", "submit", "--mapper", "cat > /dev/null; echo \"[${CUDA_VISIBLE_DEVICES-unset}]\"",
                                     "--reducers", "0", "--input", "/in", "--output", "/cpu-out", "--wait"}));
  ASSERT_EQ(cpu_job.exit_code, 0) << cpu_job.out;
  ASSERT_OK_AND_ASSIGN(auto cpu_entries, fs->List("/cpu-out"));
  for (const auto& e : cpu_entries) {
    if (e.name.rfind("part-", 0) != 0) continue;
    ASSERT_OK_AND_ASSIGN(std::string part, ReadRemoteFile(*fs, e.path));
    EXPECT_EQ(part, "[]\n");
  }
}

}  // namespace
}  // namespace cairn::testing
