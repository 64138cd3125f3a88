// Built-in text jobs on a real cluster: wordcount and distinct match a single-process
// reference exactly on text spanning many small blocks (lines cross block boundaries),
// grep counts matches, and output is committed with _SUCCESS and no leftovers.
#include <gtest/gtest.h>

#include <set>

#include "tests/mapreduce/mr_test_util.h"

namespace cairn::testing {
namespace {

constexpr uint64_t kBlock = 32 * 1024;

class TextJobsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    MiniClusterOptions o;
    o.datanodes = 3;
    o.replication = 2;
    o.block_size = kBlock;
    o.jobmaster = true;
    auto c = MiniCluster::Start(o);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(*c);
    fs_ = std::move(cluster_->Connect().value());
    jobs_ = std::move(cluster_->ConnectJobs().value());
    texts_ = {GenerateText(400 * 1024, 1), GenerateText(150 * 1024, 2), GenerateText(1000, 3)};
    texts_[2] += "no newline at the end";
    ASSERT_OK(fs_->Mkdirs("/in/dir"));
    ASSERT_OK(WriteFile(*fs_, "/in/a.txt", texts_[0]));
    ASSERT_OK(WriteFile(*fs_, "/in/dir/b.txt", texts_[1]));
    ASSERT_OK(WriteFile(*fs_, "/in/dir/c.txt", texts_[2]));
    ASSERT_OK(WriteFile(*fs_, "/in/dir/_ignored", "hidden files are not input\n"));
    ASSERT_OK(WriteFile(*fs_, "/in/empty.txt", ""));
  }
  static void TearDownTestSuite() {
    jobs_.reset();
    fs_.reset();
    cluster_.reset();
  }
  static std::unique_ptr<MiniCluster> cluster_;
  static std::unique_ptr<client::FileSystem> fs_;
  static std::unique_ptr<client::JobClient> jobs_;
  static std::vector<std::string> texts_;
};
std::unique_ptr<MiniCluster> TextJobsTest::cluster_;
std::unique_ptr<client::FileSystem> TextJobsTest::fs_;
std::unique_ptr<client::JobClient> TextJobsTest::jobs_;
std::vector<std::string> TextJobsTest::texts_;

TEST_F(TextJobsTest, WordCountMatchesReference) {
  JobSpec spec = Builtin("wordcount", {"/in/a.txt", "/in/dir", "/in/empty.txt"}, "/out/wc");
  spec.set_reducers(2);
  ASSERT_OK_AND_ASSIGN(JobReport r, RunJob(*jobs_, spec));
  ASSERT_EQ(r.state(), JOB_SUCCEEDED) << r.diagnostics();
  std::vector<std::string> names;
  ASSERT_OK_AND_ASSIGN(std::string out, ReadOutput(*fs_, "/out/wc", &names));
  EXPECT_EQ(ParseCounts(out), ReferenceWordCount(texts_));
  EXPECT_EQ(names, (std::vector<std::string>{"_SUCCESS", "part-r-00000", "part-r-00001"}));
  // One map per block of the non-empty files.
  int blocks = 0;
  for (const auto& t : texts_) blocks += static_cast<int>((t.size() + kBlock - 1) / kBlock);
  EXPECT_EQ(r.maps_total(), blocks);
  uint64_t lines = 0;
  for (const auto& t : texts_) lines += Lines(t).size();
  EXPECT_EQ(Counter(r, "map_input_records"), static_cast<int64_t>(lines));
  uint64_t bytes = 0;
  for (const auto& t : texts_) bytes += t.size();
  EXPECT_EQ(Counter(r, "map_input_bytes"), static_cast<int64_t>(bytes));
  EXPECT_GT(Counter(r, "bytes_read_local"), 0);
  EXPECT_GT(Counter(r, "shuffle_bytes"), 0);
  EXPECT_EQ(Counter(r, "reduce_input_groups"), static_cast<int64_t>(ReferenceWordCount(texts_).size()));
  EXPECT_GT(Counter(r, "combine_input_records"), 0);
  // The two reduces were spread over two executors, not packed into the first one's slots.
  std::set<std::string> reduce_nodes;
  for (const TaskReport& t : r.tasks()) {
    if (t.type() == REDUCE) reduce_nodes.insert(t.attempts(0).node());
  }
  EXPECT_EQ(reduce_nodes.size(), 2u);
}

TEST_F(TextJobsTest, DistinctMatchesReference) {
  JobSpec spec = Builtin("distinct", {"/in/*.txt", "/in/dir/[bc].txt"}, "/out/distinct");
  ASSERT_OK_AND_ASSIGN(JobReport r, RunJob(*jobs_, spec));
  ASSERT_EQ(r.state(), JOB_SUCCEEDED) << r.diagnostics();
  ASSERT_OK_AND_ASSIGN(std::string out, ReadOutput(*fs_, "/out/distinct"));
  std::set<std::string> want;
  for (const auto& t : texts_) {
    for (auto& l : Lines(t)) want.insert(l);
  }
  std::vector<std::string> got = Lines(out);
  EXPECT_TRUE(std::is_sorted(got.begin(), got.end()));
  EXPECT_EQ(std::set<std::string>(got.begin(), got.end()), want);
  EXPECT_EQ(got.size(), want.size());
}

TEST_F(TextJobsTest, GrepCountsMatches) {
  JobSpec spec = Builtin("grep", {"/in/a.txt"}, "/out/grep");
  spec.add_builtin_args("sh[a-z]+");
  ASSERT_OK_AND_ASSIGN(JobReport r, RunJob(*jobs_, spec));
  ASSERT_EQ(r.state(), JOB_SUCCEEDED) << r.diagnostics();
  ASSERT_OK_AND_ASSIGN(std::string out, ReadOutput(*fs_, "/out/grep"));
  auto counts = ParseCounts(out);
  // "shuffle" is the only word of the vocabulary with "sh" in it.
  uint64_t occurrences = 0;
  for (size_t at = texts_[0].find("shuffle"); at != std::string::npos; at = texts_[0].find("shuffle", at + 1)) ++occurrences;
  ASSERT_EQ(counts.size(), 1u);
  EXPECT_EQ(counts["shuffle"], occurrences);
}

TEST_F(TextJobsTest, MapOnlyJobWritesMapOutput) {
  JobSpec spec;
  spec.set_kind(JobSpec::STREAMING);
  spec.set_mapper_command("cat");
  spec.add_input_paths("/in/dir/b.txt");
  spec.set_output_path("/out/maponly");
  spec.set_reducers(0);
  ASSERT_OK_AND_ASSIGN(JobReport r, RunJob(*jobs_, spec));
  ASSERT_EQ(r.state(), JOB_SUCCEEDED) << r.diagnostics();
  std::vector<std::string> names;
  ASSERT_OK_AND_ASSIGN(std::string out, ReadOutput(*fs_, "/out/maponly", &names));
  EXPECT_EQ(out, texts_[1]);  // part-m files in order are the input, split by block
  EXPECT_EQ(static_cast<int>(names.size()), r.maps_total() + 1);
  EXPECT_EQ(names.front(), "_SUCCESS");
}

}  // namespace
}  // namespace cairn::testing
