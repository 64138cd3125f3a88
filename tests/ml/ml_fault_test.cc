// A node dies under a running ML job: the partitions its worker held are loaded again on
// the nodes holding the other replicas, the step that met the dead worker is retried,
// and training finishes with the same quality.
#include <gtest/gtest.h>

#include <csignal>

#include "client/file_system.h"
#include "client/job_client.h"
#include "compute/counters.h"
#include "compute/ml/algorithms.h"
#include "compute/ml/cluster_runner.h"
#include "compute/ml/gen.h"
#include "tests/support/mini_cluster.h"
#include "tests/support/test_util.h"

namespace cairn::testing {
namespace {

TEST(MlFaultTest, ALostNodesPartitionsLoadAgainElsewhere) {
  MiniClusterOptions o;
  o.datanodes = 3;
  o.replication = 2;
  o.block_size = 64 * 1024;
  o.jobmaster = true;
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(o));
  ASSERT_OK(cluster->WaitForExecutors(3));
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  ASSERT_OK_AND_ASSIGN(auto jobs, cluster->ConnectJobs());
  ml::GenOptions g;
  g.rows = 20000;
  g.features = 6;
  ASSERT_OK_AND_ASSIGN(ml::Generator gen, ml::Generator::Create(g));
  {
    client::CreateOptions co;
    ASSERT_OK_AND_ASSIGN(auto out, fs->Create("/ml/data.bin", co));
    std::string buf = gen.Header();
    gen.Rows(0, g.rows, &buf);
    ASSERT_OK(out->Write(buf.data(), buf.size()));
    ASSERT_OK(out->Close());
  }
  ml::ClusterJobOptions jo;
  jo.inputs = {"/ml/data.bin"};
  jo.format = gen.format();
  ASSERT_OK_AND_ASSIGN(auto runner, ml::ClusterStepRunner::Start(*jobs, jo));
  ASSERT_OK_AND_ASSIGN(JobReport loaded, jobs->Status(runner->job_id(), /*include_tasks=*/true));
  ASSERT_GE(loaded.maps_total(), 6);
  // Kill a node that holds partitions of the job, executor and ML worker with it.
  const std::string victim = loaded.tasks(0).attempts(0).node();
  int index = -1;
  for (int i = 0; i < cluster->num_datanodes(); ++i) {
    if (cluster->datanode_address(i) == victim) index = i;
  }
  ASSERT_GE(index, 0) << victim;
  ASSERT_OK(cluster->StopDatanode(index, SIGKILL));

  ml::LogregOptions lo;
  lo.iterations = 30;
  ASSERT_OK_AND_ASSIGN(ml::TrainResult r, ml::TrainLogreg(*runner, lo));
  ASSERT_OK_AND_ASSIGN(auto metrics, ml::Evaluate(*runner, r.model));
  EXPECT_GE(metrics["accuracy"], 0.97);
  EXPECT_EQ(metrics["rows"], 20000);  // every row exactly once, after the reload too
  ASSERT_OK_AND_ASSIGN(JobReport report, runner->Finish(true));
  EXPECT_EQ(report.state(), JOB_SUCCEEDED) << report.diagnostics();
  EXPECT_GT(compute::FindCounter(report.counters(), compute::counter::kRerunMaps), 0);
}

}  // namespace
}  // namespace cairn::testing
