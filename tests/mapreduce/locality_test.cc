// Compute goes to the data: on 3 datanodes with replication 2, at least 90% of map tasks
// run on a node holding their block, and those read it straight from local disk.
#include <gtest/gtest.h>

#include "tests/mapreduce/mr_test_util.h"

namespace cairn::testing {
namespace {

TEST(LocalityTest, MostMapsRunDataLocalAndReadLocally) {
  MiniClusterOptions o;
  o.datanodes = 3;
  o.replication = 2;
  o.block_size = 16 * 1024;
  o.jobmaster = true;
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(o));
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  ASSERT_OK_AND_ASSIGN(auto jobs, cluster->ConnectJobs());
  // Written from three clients' point of view alike: the namenode spreads the first
  // replicas because the writer is not a datanode.
  std::string text = GenerateText(40 * 16 * 1024, 4);
  ASSERT_OK(WriteFile(*fs, "/loc/in", text));
  ASSERT_OK_AND_ASSIGN(JobReport r, RunJob(*jobs, Builtin("wordcount", {"/loc/in"}, "/loc/out")));
  ASSERT_EQ(r.state(), JOB_SUCCEEDED) << r.diagnostics();
  ASSERT_GE(r.maps_total(), 40);
  int64_t launched = Counter(r, "launched_maps");
  int64_t local = Counter(r, "data_local_maps");
  EXPECT_EQ(launched, r.maps_total());
  EXPECT_GE(local * 10, launched * 9) << local << " of " << launched << " maps ran data-local";
  EXPECT_EQ(local + Counter(r, "rack_local_maps") + Counter(r, "remote_maps"), launched);
  // Local maps read their block from disk; only the tails of lines crossing into the next
  // block (and non-local maps) go through the network.
  int64_t read_local = Counter(r, "bytes_read_local");
  int64_t read_remote = Counter(r, "bytes_read_remote");
  EXPECT_GE(read_local * 10, static_cast<int64_t>(text.size()) * 8) << read_local << " local, " << read_remote << " remote";
  for (const TaskReport& t : r.tasks()) {
    if (t.type() != MAP) continue;
    for (const AttemptReport& a : t.attempts()) {
      if (a.locality() == NODE_LOCAL) EXPECT_GT(compute::FindCounter(a.counters(), "bytes_read_local"), 0) << a.attempt_id();
    }
  }
  ASSERT_OK_AND_ASSIGN(std::string out, ReadOutput(*fs, "/loc/out"));
  EXPECT_EQ(ParseCounts(out), ReferenceWordCount({text}));
}

}  // namespace
}  // namespace cairn::testing
