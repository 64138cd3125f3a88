// The built-in sort (TeraSort): 100-byte records with 10-byte keys, range-partitioned on
// sampled keys; the part files in order are one sorted sequence and a permutation of the
// input.
#include <gtest/gtest.h>

#include "tests/mapreduce/mr_test_util.h"

namespace cairn::testing {
namespace {

std::string Records(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out;
  out.reserve(n * 100);
  for (size_t i = 0; i < n; ++i) {
    for (int k = 0; k < 10; ++k) out += static_cast<char>(' ' + rng() % 95);  // printable keys, duplicates likely
    out += fmt::format("{:08x}", i);
    out += std::string(80, static_cast<char>('A' + i % 26));
    out += "\r\n";
  }
  return out;
}

TEST(SortJobTest, GloballyOrderedPermutation) {
  MiniClusterOptions o;
  o.datanodes = 3;
  o.replication = 2;
  o.block_size = 64 * 1024;  // not a multiple of 100: records cross blocks
  o.jobmaster = true;
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(o));
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  ASSERT_OK_AND_ASSIGN(auto jobs, cluster->ConnectJobs());
  const std::string a = Records(3000, 1), b = Records(1234, 2);
  ASSERT_OK(WriteFile(*fs, "/sort/in/a", a));
  ASSERT_OK(WriteFile(*fs, "/sort/in/b", b));
  JobSpec spec = Builtin("sort", {"/sort/in"}, "/sort/out");
  spec.set_reducers(3);
  ASSERT_OK_AND_ASSIGN(JobReport r, RunJob(*jobs, spec));
  ASSERT_EQ(r.state(), JOB_SUCCEEDED) << r.diagnostics();
  std::vector<std::string> names;
  ASSERT_OK_AND_ASSIGN(std::string out, ReadOutput(*fs, "/sort/out", &names));
  EXPECT_EQ(names, (std::vector<std::string>{"_SUCCESS", "part-r-00000", "part-r-00001", "part-r-00002"}));
  ASSERT_EQ(out.size(), a.size() + b.size());
  std::vector<std::string> in_records, out_records;
  for (const std::string* s : {&a, &b}) {
    for (size_t i = 0; i < s->size(); i += 100) in_records.push_back(s->substr(i, 100));
  }
  for (size_t i = 0; i < out.size(); i += 100) out_records.push_back(out.substr(i, 100));
  for (size_t i = 1; i < out_records.size(); ++i)
    ASSERT_LE(out_records[i - 1].substr(0, 10), out_records[i].substr(0, 10)) << "record " << i;
  std::sort(in_records.begin(), in_records.end());
  std::sort(out_records.begin(), out_records.end());
  EXPECT_EQ(in_records, out_records);
  // Sampling spread the keys: no reducer got (nearly) everything.
  for (int p = 0; p < 3; ++p) {
    ASSERT_OK_AND_ASSIGN(client::FileStatus st, fs->Stat(fmt::format("/sort/out/part-r-{:05d}", p)));
    EXPECT_LT(st.length, out.size() * 2 / 3) << "partition " << p;
    EXPECT_EQ(st.replication, 1u);  // TeraSort writes its output once
  }
  EXPECT_EQ(Counter(r, "map_input_records"), 4234);
  EXPECT_EQ(Counter(r, "output_records"), 4234);
}

TEST(SortJobTest, PartialRecordsAreRefusedAtSubmit) {
  MiniClusterOptions o;
  o.datanodes = 1;
  o.replication = 1;
  o.jobmaster = true;
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(o));
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  ASSERT_OK_AND_ASSIGN(auto jobs, cluster->ConnectJobs());
  ASSERT_OK(WriteFile(*fs, "/bad", std::string(250, 'x')));
  auto id = jobs->Submit(Builtin("sort", {"/bad"}, "/out"));
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(id.status().message().find("not a whole number of 100-byte records"), std::string::npos)
      << id.status().ToString();
  auto st = fs->Stat("/out");
  EXPECT_EQ(st.status().code(), ErrorCode::kNotFound);  // nothing was created
}

}  // namespace
}  // namespace cairn::testing
