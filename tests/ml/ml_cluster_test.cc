// Built-in ML on a real cluster (3 datanodes with executors, a job master): training next
// to the data with partitions cached in the executors' ML workers, the `cairn ml` commands
// (gen, train, evaluate, predict, tune), and what happens to bad input and to a driver
// that goes away.
#include <gtest/gtest.h>

#include <cmath>

#include <nlohmann/json.hpp>

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

class MlClusterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    MiniClusterOptions o;
    o.datanodes = 3;
    o.replication = 2;
    o.block_size = 128 * 1024;
    o.jobmaster = true;
    o.executor_slots = 2;
    auto c = MiniCluster::Start(o);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(*c);
    ASSERT_TRUE(cluster_->WaitForExecutors(3).ok());
    fs_ = std::move(cluster_->Connect().value());
    jobs_ = std::move(cluster_->ConnectJobs().value());
  }
  static void TearDownTestSuite() {
    jobs_.reset();
    fs_.reset();
    cluster_.reset();
  }

  static Status WriteData(const std::string& path, const ml::GenOptions& o) {
    ASSIGN_OR_RETURN(ml::Generator g, ml::Generator::Create(o));
    client::CreateOptions co;
    co.overwrite = true;
    ASSIGN_OR_RETURN(auto out, fs_->Create(path, co));
    std::string buf = g.Header();
    g.Rows(0, o.rows, &buf);
    RETURN_IF_ERROR(out->Write(buf.data(), buf.size()));
    return out->Close();
  }

  // The JSON document a `cairn ... --json` run printed last.
  static nlohmann::json LastJson(const std::string& out) {
    size_t at = out.rfind("\n{");
    std::string doc = at == std::string::npos ? out : out.substr(at + 1);
    auto j = nlohmann::json::parse(doc, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << out;
    return j;
  }

  static std::unique_ptr<MiniCluster> cluster_;
  static std::unique_ptr<client::FileSystem> fs_;
  static std::unique_ptr<client::JobClient> jobs_;
};

std::unique_ptr<MiniCluster> MlClusterTest::cluster_;
std::unique_ptr<client::FileSystem> MlClusterTest::fs_;
std::unique_ptr<client::JobClient> MlClusterTest::jobs_;

// Logistic regression trains on partitions loaded once, next to the data: every step
// after the load hits the workers' caches, and the model separates separable data.
TEST_F(MlClusterTest, LogisticRegressionTrainsOnCachedPartitions) {
  ml::GenOptions o;
  o.rows = 30000;
  o.features = 8;
  ASSERT_OK(WriteData("/ml/class.bin", o));
  ml::ClusterJobOptions jo;
  jo.inputs = {"/ml/class.bin"};
  ASSERT_OK_AND_ASSIGN(jo.format, ml::DetectInputFormat(*fs_, "/ml/class.bin", true));
  EXPECT_EQ(jo.format.kind(), MlDataFormat::BINARY);
  EXPECT_EQ(jo.format.features(), 8u);
  jo.algorithm = "logreg";
  ASSERT_OK_AND_ASSIGN(auto runner, ml::ClusterStepRunner::Start(*jobs_, jo));
  ml::LogregOptions lo;
  lo.iterations = 50;
  lo.l2 = 1e-5;
  ASSERT_OK_AND_ASSIGN(ml::TrainResult r, ml::TrainLogreg(*runner, lo));
  ASSERT_OK_AND_ASSIGN(auto metrics, ml::Evaluate(*runner, r.model));
  EXPECT_GE(metrics["accuracy"], 0.97);
  EXPECT_EQ(metrics["rows"], 30000);
  const auto& c = runner->step_counters();
  ASSERT_TRUE(c.count("ml_cache_hits"));
  EXPECT_GE(c.at("ml_cache_hits"), (r.steps + 1) * 2);  // every partition, every step
  EXPECT_EQ(c.count("ml_cache_misses") ? c.at("ml_cache_misses") : 0, 0) << "a step read the disk again";
  ASSERT_OK_AND_ASSIGN(JobReport report, runner->Finish(true));
  EXPECT_EQ(report.state(), JOB_SUCCEEDED) << report.diagnostics();
  EXPECT_GE(report.maps_total(), 2);
  EXPECT_GT(compute::FindCounter(report.counters(), compute::counter::kDataLocalMaps), 0);
  EXPECT_GT(compute::FindCounter(report.counters(), compute::counter::kBytesReadLocal), 0);
  EXPECT_EQ(compute::FindCounter(report.counters(), "ml_steps"), r.steps + 1);
}

// The CLI end to end: gen, train k-means (recovering the planted clusters' spread),
// evaluate, and predict writing one line per row next to the data.
TEST_F(MlClusterTest, CliTrainsEvaluatesAndPredicts) {
  ASSERT_OK_AND_ASSIGN(CommandResult gen, cluster_->Cli({"ml", "gen", "--kind", "clustering", "--rows", "12000",
                                                        "--features", "4", "--clusters", "3", "--spread", "0.5",
                                                        "--format", "csv", "/ml/clusters.csv"}));
  ASSERT_EQ(gen.exit_code, 0) << gen.out;
  ASSERT_OK_AND_ASSIGN(CommandResult train, cluster_->Cli({"ml", "train", "--algorithm", "kmeans", "--k", "3",
                                                          "--input", "/ml/clusters.csv", "--model", "/ml/km.model",
                                                          "--json"}));
  ASSERT_EQ(train.exit_code, 0) << train.out;
  auto j = LastJson(train.out);
  // Rows scatter with variance 0.25 per feature around their centre: 4 features, 1.0.
  EXPECT_NEAR(j["metrics"]["mean_sq_distance"].get<double>(), 1.0, 0.1) << train.out;
  EXPECT_GT(j["step_counters"]["ml_cache_hits"].get<int64_t>(), 0);
  ASSERT_OK_AND_ASSIGN(CommandResult eval, cluster_->Cli({"ml", "evaluate", "--model", "/ml/km.model", "--input",
                                                         "/ml/clusters.csv", "--json"}));
  ASSERT_EQ(eval.exit_code, 0) << eval.out;
  EXPECT_EQ(LastJson(eval.out)["metrics"]["rows"].get<double>(), 12000);
  ASSERT_OK_AND_ASSIGN(CommandResult pred, cluster_->Cli({"ml", "predict", "--model", "/ml/km.model", "--input",
                                                         "/ml/clusters.csv", "--output", "/ml/km.pred"}));
  ASSERT_EQ(pred.exit_code, 0) << pred.out;
  ASSERT_OK_AND_ASSIGN(auto entries, fs_->List("/ml/km.pred"));
  uint64_t lines = 0;
  bool success = false;
  for (const auto& e : entries) {
    if (e.name == "_SUCCESS") success = true;
    if (e.name.rfind("part-m-", 0) != 0) continue;
    ASSERT_OK_AND_ASSIGN(auto in, fs_->Open(e.path));
    std::string data(e.length, '\0');
    size_t got = 0;
    while (got < data.size()) {
      ASSERT_OK_AND_ASSIGN(size_t n, in->Read(data.data() + got, data.size() - got));
      if (n == 0) break;
      got += n;
    }
    for (char ch : data) lines += ch == '\n';
  }
  EXPECT_TRUE(success);
  EXPECT_EQ(lines, 12000u);
  // A model file that is not one is refused clearly.
  ASSERT_OK_AND_ASSIGN(CommandResult bad, cluster_->Cli({"ml", "evaluate", "--model", "/ml/clusters.csv", "--input",
                                                        "/ml/clusters.csv"}));
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.out.find("not a Cairn ML model"), std::string::npos) << bad.out;
}

// tune runs every trial and fold together and picks the known-best setting: linear
// regression on clean linear data, where any ridge penalty only hurts.
TEST_F(MlClusterTest, TunePicksTheKnownBestSetting) {
  ml::GenOptions o;
  o.kind = "regression";
  o.rows = 9000;
  o.features = 3;
  o.noise = 0.1;
  ASSERT_OK(WriteData("/ml/reg.bin", o));
  ASSERT_OK_AND_ASSIGN(CommandResult tune, cluster_->Cli({"ml", "tune", "--algorithm", "linreg", "--input",
                                                         "/ml/reg.bin", "--model", "/ml/reg.model", "--folds", "3",
                                                         "--grid", "l2=3,0,0.5", "--json"}));
  ASSERT_EQ(tune.exit_code, 0) << tune.out;
  auto j = LastJson(tune.out);
  ASSERT_EQ(j["trials"].size(), 3u);
  EXPECT_EQ(j["best"].get<int>(), 1) << tune.out;
  EXPECT_NEAR(j["trials"][1]["mean"].get<double>(), 0.1, 0.02);
  ASSERT_OK_AND_ASSIGN(MlModel model, ml::ReadModel(*fs_, "/ml/reg.model"));
  EXPECT_EQ(model.algorithm(), "linreg");
  EXPECT_EQ(model.params(), "l2=0");
}

// Bad data fails the job at load with the parse error; a driver that goes away fails its job.
TEST_F(MlClusterTest, BadDataAndLostDriversEndTheJob) {
  std::string csv = "1,2,0\n3,4,1\n";
  for (int i = 0; i < 2000; ++i) csv += "5,6,1\n";
  csv += "7,oops,0\n";
  {
    client::CreateOptions co;
    ASSERT_OK_AND_ASSIGN(auto out, fs_->Create("/ml/bad.csv", co));
    ASSERT_OK(out->Write(csv.data(), csv.size()));
    ASSERT_OK(out->Close());
  }
  ml::ClusterJobOptions jo;
  jo.inputs = {"/ml/bad.csv"};
  ASSERT_OK_AND_ASSIGN(jo.format, ml::DetectInputFormat(*fs_, "/ml/bad.csv", true));
  auto r = ml::ClusterStepRunner::Start(*jobs_, jo);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("not a number"), std::string::npos) << r.status().ToString();

  ml::GenOptions o;
  o.rows = 2000;
  o.features = 2;
  ASSERT_OK(WriteData("/ml/small.bin", o));
  jo.inputs = {"/ml/small.bin"};
  ASSERT_OK_AND_ASSIGN(jo.format, ml::DetectInputFormat(*fs_, "/ml/small.bin", true));
  std::string id;
  {
    ASSERT_OK_AND_ASSIGN(auto runner, ml::ClusterStepRunner::Start(*jobs_, jo));
    id = runner->job_id();
  }  // dropped without Finish
  ASSERT_OK_AND_ASSIGN(JobReport report, jobs_->Wait(id, {}, 50));
  EXPECT_EQ(report.state(), JOB_FAILED);
  EXPECT_NE(report.diagnostics().find("driver"), std::string::npos) << report.diagnostics();
}

}  // namespace
}  // namespace cairn::testing
