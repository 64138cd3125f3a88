// Jobs defined outside Cairn, submitted through the CLI: a streaming job with a Python
// mapper, combiner and reducer shipped with --files (Hadoop Streaming's contract and environment),
// and a plugin library uploaded with --plugin.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/mapreduce/mr_test_util.h"

namespace cairn::testing {
namespace {

constexpr const char* kMapper = R"PY(#!/usr/bin/env python3
import os, sys
# Hadoop Streaming's environment.
sys.stderr.write("reporter:counter:streaming,input_file_set,%d\n" % (1 if os.environ.get("mapreduce_map_input_file") else 0))
sys.stderr.write("reporter:status:mapping %s\n" % os.environ["mapreduce_task_id"])
prefix = os.environ.get("word_prefix", "")
for line in sys.stdin:
    for word in line.split():
        print("%s%s\t1" % (prefix, word))
    sys.stderr.write("reporter:counter:streaming,lines,1\n")
print("attempt:%s\t1" % os.environ["mapreduce_task_attempt_id"].split("_m_")[0])
)PY";

constexpr const char* kReducer = R"PY(#!/usr/bin/env python3
import sys
current, total = None, 0
for line in sys.stdin:
    key, value = line.rstrip("\n").split("\t", 1)
    if key != current:
        if current is not None:
            print("%s\t%d" % (current, total))
        current, total = key, 0
    total += int(value)
if current is not None:
    print("%s\t%d" % (current, total))
)PY";

class ExternalJobsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MiniClusterOptions o;
    o.datanodes = 3;
    o.replication = 2;
    o.block_size = 16 * 1024;
    o.jobmaster = true;
    ASSERT_OK_AND_ASSIGN(cluster_, MiniCluster::Start(o));
    ASSERT_OK_AND_ASSIGN(fs_, cluster_->Connect());
    text_ = GenerateText(60 * 1024, 9);
    ASSERT_OK(WriteFile(*fs_, "/in/text", text_));
    local_ = cluster_->dir() + "/local";
    std::filesystem::create_directories(local_);
  }
  std::unique_ptr<MiniCluster> cluster_;
  std::unique_ptr<client::FileSystem> fs_;
  std::string text_;
  std::string local_;
};

TEST_F(ExternalJobsTest, StreamingPythonMapperAndReducer) {
  ASSERT_OK(WriteLocalFile(local_ + "/mapper.py", kMapper));
  ASSERT_OK(WriteLocalFile(local_ + "/reducer.py", kReducer));
  ASSERT_OK_AND_ASSIGN(
      CommandResult r,
      cluster_->Cli({"job", "submit", "--mapper", "python3 mapper.py", "--reducer", "python3 reducer.py",
                     "--combiner", "python3 reducer.py", "--files", local_ + "/mapper.py," + local_ + "/reducer.py", "--param", "word.prefix=w:",
                     "--input", "/in/text", "--output", "/out/streaming", "--reducers", "2", "--wait", "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  nlohmann::json status = nlohmann::json::parse(r.out.substr(r.out.find('{')));
  EXPECT_EQ(status["state"], "SUCCEEDED");
  ASSERT_OK_AND_ASSIGN(std::string out, ReadOutput(*fs_, "/out/streaming"));
  auto counts = ParseCounts(out);
  int maps = status["maps_total"];
  std::map<std::string, uint64_t> want;
  for (const auto& [w, c] : ReferenceWordCount({text_})) want["w:" + w] = c;
  std::string job_suffix = std::string(status["job_id"]).substr(4);
  want["attempt:attempt_" + job_suffix] = static_cast<uint64_t>(maps);  // one line per map attempt
  EXPECT_EQ(counts, want);
  EXPECT_EQ(status["counters"]["streaming"]["lines"], Lines(text_).size());
  EXPECT_EQ(status["counters"]["streaming"]["input_file_set"], maps);
  // reporter:status lines became the map attempts' status.
  ASSERT_OK_AND_ASSIGN(CommandResult tasks,
                       cluster_->Cli({"job", "status", std::string(status["job_id"]), "--json", "--tasks"}));
  ASSERT_EQ(tasks.exit_code, 0) << tasks.out;
  int map_tasks = 0;
  const nlohmann::json report = nlohmann::json::parse(tasks.out);
  for (const auto& t : report["tasks"]) {
    if (t["type"] != "map") continue;
    ++map_tasks;
    EXPECT_EQ(t["attempts"][0]["status"], "mapping " + std::string(t["task_id"])) << t.dump();
  }
  EXPECT_EQ(map_tasks, maps);
  // The combiner (the reducer script again) summed each map's output before the shuffle.
  EXPECT_GT(status["counters"]["cairn"]["combine_input_records"], status["counters"]["cairn"]["combine_output_records"]);
  EXPECT_EQ(status["counters"]["cairn"]["combine_input_records"], status["counters"]["cairn"]["map_output_records"]);
  // The staged files were removed with the job.
  ASSERT_OK_AND_ASSIGN(auto staging, fs_->List("/tmp/cairn-staging"));
  for (const auto& user_dir : staging) {
    ASSERT_OK_AND_ASSIGN(auto left, fs_->List(user_dir.path));
    EXPECT_TRUE(left.empty());
  }
}

TEST_F(ExternalJobsTest, PluginLibrary) {
  const std::string plugin = std::string(CAIRN_BIN_DIR) + "/libcairn_test_wordlen_plugin.so";
  ASSERT_OK_AND_ASSIGN(CommandResult r,
                       cluster_->Cli({"job", "submit", "--plugin", plugin, "--param", "min_length=3", "--input",
                                      "/in/text", "--output", "/out/plugin", "--wait", "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  nlohmann::json status = nlohmann::json::parse(r.out);
  ASSERT_OK_AND_ASSIGN(std::string out, ReadOutput(*fs_, "/out/plugin"));
  std::map<std::string, uint64_t> want;
  uint64_t dropped = 0;
  for (const auto& [w, c] : ReferenceWordCount({text_})) {
    if (w.size() < 3) dropped += c;
    else want[fmt::format("{:03d}", w.size())] += c;
  }
  EXPECT_EQ(ParseCounts(out), want);
  EXPECT_EQ(status["counters"]["wordlen"]["dropped"], dropped);
  EXPECT_GT(status["counters"]["cairn"]["combine_input_records"], status["counters"]["cairn"]["combine_output_records"]);
}

TEST_F(ExternalJobsTest, NotAPluginIsRefusedWithTheReason) {
  ASSERT_OK(WriteLocalFile(local_ + "/libfake.so", "not an ELF file"));
  ASSERT_OK_AND_ASSIGN(CommandResult r,
                       cluster_->Cli({"job", "submit", "--plugin", local_ + "/libfake.so", "--input", "/in/text",
                                      "--output", "/out/fake", "--max-attempts", "1", "--wait"}));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("cannot load plugin"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace cairn::testing
