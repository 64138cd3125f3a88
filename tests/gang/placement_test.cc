// The job master's resource model and gang placement, as pure functions: GPU devices and
// fractional shares, what can ever fit, where a gang's workers go and which shards they get;
// and the executor's GPU settings (count override, exact device ids).
#include <gtest/gtest.h>

#include "compute/jobmaster/gang_placement.h"
#include "compute/jobmaster/resource_fit.h"
#include "compute/resources.h"
#include "tests/support/test_util.h"

namespace cairn::compute {
namespace {

ExecutorInfo Exec(const std::string& id, uint32_t slots, std::vector<int> gpus) {
  ExecutorInfo e;
  e.id = id;
  e.node = "10.0.0." + id + ":9866";
  e.total.set_cpu_slots(slots);
  e.total.set_memory_bytes(64ull << 30);
  for (int g : gpus) e.total.add_gpu_ids(g);
  e.total.set_gpus(static_cast<uint32_t>(gpus.size()));
  return e;
}

ComputeResources Ask(uint32_t gpus, double fraction = 0) {
  ComputeResources r;
  r.set_cpu_slots(1);
  r.set_memory_bytes(1ull << 30);
  if (gpus > 0) r.set_gpus(gpus);
  if (fraction > 0) r.set_gpu_fraction(fraction);
  return r;
}

std::vector<int> Ids(const ComputeResources& r) { return {r.gpu_ids().begin(), r.gpu_ids().end()}; }

TEST(ResourceFitTest, WholeGpusGetDevicesNobodyElseUses) {
  ExecutorInfo e = Exec("1", 8, {0, 1, 2});
  ComputeResources a = Ask(2);
  ASSERT_TRUE(FitsNow(e, a));
  Reserve(e, &a);
  EXPECT_EQ(Ids(a), (std::vector<int>{0, 1}));
  ComputeResources b = Ask(2);
  EXPECT_FALSE(FitsNow(e, b));  // one device left
  ComputeResources c = Ask(1);
  Reserve(e, &c);
  EXPECT_EQ(Ids(c), (std::vector<int>{2}));
  EXPECT_DOUBLE_EQ(UsedGpus(e), 3.0);
  Release(e, a);
  EXPECT_TRUE(FitsNow(e, b));
  EXPECT_DOUBLE_EQ(UsedGpus(e), 1.0);
}

TEST(ResourceFitTest, FractionsShareADeviceAndPackBeforeTakingAnother) {
  ExecutorInfo e = Exec("1", 16, {4, 7});
  std::vector<ComputeResources> light;
  for (int i = 0; i < 5; ++i) {
    ComputeResources r = Ask(0, 0.25);
    ASSERT_TRUE(FitsNow(e, r)) << i;
    Reserve(e, &r);
    light.push_back(r);
  }
  // Four quarters fill the first device; the fifth goes to the other one.
  for (int i = 0; i < 4; ++i) EXPECT_EQ(Ids(light[i]), (std::vector<int>{light[0].gpu_ids(0)})) << i;
  EXPECT_NE(light[4].gpu_ids(0), light[0].gpu_ids(0));
  EXPECT_DOUBLE_EQ(UsedGpus(e), 1.25);
  // No device is whole-free now, so a whole-GPU task waits; a 0.75 share still fits.
  EXPECT_FALSE(FitsNow(e, Ask(1)));
  EXPECT_TRUE(FitsNow(e, Ask(0, 0.75)));
  EXPECT_FALSE(FitsNow(e, Ask(0, 0.8)));
  for (auto& r : light) Release(e, r);
  EXPECT_DOUBLE_EQ(UsedGpus(e), 0.0);
  EXPECT_TRUE(FitsNow(e, Ask(2)));
}

TEST(ResourceFitTest, SlotsAndMemoryStillCount) {
  ExecutorInfo e = Exec("1", 1, {0, 1});
  ComputeResources r = Ask(1);
  Reserve(e, &r);
  EXPECT_FALSE(FitsNow(e, Ask(1)));  // a device is free but the one slot is not
  ComputeResources cpu_only;
  cpu_only.set_cpu_slots(1);
  EXPECT_FALSE(FitsNow(e, cpu_only));
}

TEST(ResourceFitTest, CanEverFitAndValidation) {
  ComputeResources total = Exec("1", 4, {0, 1}).total;
  EXPECT_TRUE(CanEverFit(total, Ask(2)));
  EXPECT_FALSE(CanEverFit(total, Ask(3)));
  EXPECT_TRUE(CanEverFit(total, Ask(0, 0.5)));
  EXPECT_FALSE(CanEverFit(Exec("2", 4, {}).total, Ask(0, 0.5)));
  EXPECT_TRUE(ValidateTaskResources(Ask(1)).ok());
  EXPECT_TRUE(ValidateTaskResources(Ask(0, 0.25)).ok());
  ComputeResources both = Ask(1, 0.5);
  EXPECT_FALSE(ValidateTaskResources(both).ok());
  ComputeResources too_big;
  too_big.set_gpu_fraction(1.5);
  EXPECT_FALSE(ValidateTaskResources(too_big).ok());
  EXPECT_EQ(DescribeResources(Ask(0, 0.25)), "1 slot, 1GiB, 0.25 GPU");
  EXPECT_EQ(DescribeResources(Ask(2)), "1 slot, 1GiB, 2 GPUs");
}

TEST(SelectGpusTest, CountOverrideAndExactIds) {
  std::vector<GpuInfo> probed = {{0, "Real A", 80ull << 30, false}, {1, "Real B", 80ull << 30, false}};
  ASSERT_OK_AND_ASSIGN(auto all, SelectGpus(probed, -1, ""));
  EXPECT_EQ(all.size(), 2u);
  ASSERT_OK_AND_ASSIGN(auto one, SelectGpus(probed, 1, ""));
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].name, "Real A");
  ASSERT_OK_AND_ASSIGN(auto none, SelectGpus(probed, 0, ""));
  EXPECT_TRUE(none.empty());
  // More than the probe found: declared devices after the real ones.
  ASSERT_OK_AND_ASSIGN(auto four, SelectGpus(probed, 4, ""));
  ASSERT_EQ(four.size(), 4u);
  EXPECT_EQ(four[3].device_id, 3);
  EXPECT_TRUE(four[3].configured);
  EXPECT_FALSE(four[1].configured);
  // Exact ids: probed ones keep their description.
  ASSERT_OK_AND_ASSIGN(auto exact, SelectGpus(probed, -1, "1,5"));
  ASSERT_EQ(exact.size(), 2u);
  EXPECT_EQ(exact[0].name, "Real B");
  EXPECT_EQ(exact[1].device_id, 5);
  EXPECT_TRUE(exact[1].configured);
  EXPECT_FALSE(SelectGpus({}, -1, "1,x").ok());
  EXPECT_FALSE(SelectGpus({}, -1, "2,2").ok());
  EXPECT_FALSE(SelectGpus({}, -1, "-1").ok());
}

InputSplit Split(uint64_t start, uint64_t length, std::vector<std::string> hosts) {
  InputSplit s;
  s.set_path("/in");
  s.set_start(start);
  s.set_length(length);
  for (auto& h : hosts) s.add_hosts(h);
  return s;
}

std::map<std::string, ExecutorInfo> Cluster(std::vector<ExecutorInfo> list) {
  std::map<std::string, ExecutorInfo> m;
  for (auto& e : list) m[e.id] = e;
  return m;
}

TEST(PlaceGangTest, WorkersGoWhereTheirShardsAre) {
  auto cluster = Cluster({Exec("1", 4, {0, 1}), Exec("2", 4, {0, 1}), Exec("3", 4, {0, 1}), Exec("4", 4, {0, 1})});
  const std::string n1 = cluster["1"].node, n2 = cluster["2"].node, n3 = cluster["3"].node;
  // Blocks on nodes 1..3 only (replication 1); node 4 holds nothing.
  std::vector<InputSplit> splits;
  for (int i = 0; i < 9; ++i) splits.push_back(Split(i * 100ull, 100, {i % 3 == 0 ? n1 : i % 3 == 1 ? n2 : n3}));
  ASSERT_OK_AND_ASSIGN(auto workers, PlaceGang(3, Ask(1), splits, cluster));
  ASSERT_EQ(workers.size(), 3u);
  std::set<std::string> used;
  for (const auto& w : workers) {
    used.insert(w.executor_id);
    EXPECT_EQ(w.splits.size(), 3u);
    EXPECT_EQ(w.local_bytes, 300u);
    EXPECT_EQ(w.bytes, 300u);
    EXPECT_EQ(w.local_rank, 0);
    EXPECT_EQ(w.local_world_size, 1);
    ASSERT_EQ(w.resources.gpu_ids_size(), 1);
    EXPECT_TRUE(std::is_sorted(w.splits.begin(), w.splits.end()));
  }
  EXPECT_EQ(used, (std::set<std::string>{"1", "2", "3"}));
  // Every split is given exactly once.
  std::vector<int> all;
  for (const auto& w : workers) all.insert(all.end(), w.splits.begin(), w.splits.end());
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST(PlaceGangTest, GpusDecideWhereWorkersCanGoAndRanksGroupByNode) {
  // Node 1 holds all the data but has one GPU; node 2 has four GPUs and no data.
  auto cluster = Cluster({Exec("1", 8, {0}), Exec("2", 8, {0, 1, 2, 3}), Exec("3", 8, {})});
  std::vector<InputSplit> splits;
  for (int i = 0; i < 4; ++i) splits.push_back(Split(i * 100ull, 100, {cluster["1"].node}));
  ASSERT_OK_AND_ASSIGN(auto workers, PlaceGang(4, Ask(1), splits, cluster));
  ASSERT_EQ(workers.size(), 4u);
  EXPECT_EQ(workers[0].executor_id, "1");  // the data holder first
  EXPECT_EQ(workers[0].node_rank, 0);
  std::set<int> devices_on_2;
  for (int r = 1; r < 4; ++r) {
    EXPECT_EQ(workers[r].executor_id, "2");
    EXPECT_EQ(workers[r].local_rank, r - 1);
    EXPECT_EQ(workers[r].local_world_size, 3);
    EXPECT_EQ(workers[r].node_rank, 1);
    devices_on_2.insert(workers[r].resources.gpu_ids(0));
  }
  EXPECT_EQ(devices_on_2.size(), 3u);  // distinct devices
  // The data holder's worker gets its even share plus one split, the rest goes elsewhere.
  EXPECT_EQ(workers[0].local_bytes, workers[0].bytes);
  EXPECT_GE(workers[0].bytes, 100u);
}

TEST(PlaceGangTest, AllOrNothingWithAReason) {
  auto cluster = Cluster({Exec("1", 8, {0, 1}), Exec("2", 8, {0})});
  ASSERT_OK(PlaceGang(3, Ask(1), {}, cluster).status());
  auto four = PlaceGang(4, Ask(1), {}, cluster);
  ASSERT_FALSE(four.ok());
  EXPECT_EQ(four.status().code(), ErrorCode::kResourceExhausted);
  EXPECT_NE(four.status().message().find("3 of 4 workers"), std::string::npos) << four.status().ToString();
  // In use now: room for fewer, though an idle cluster could hold them.
  ComputeResources held = Ask(1);
  Reserve(cluster["1"], &held);
  EXPECT_FALSE(PlaceGang(3, Ask(1), {}, cluster).ok());
  EXPECT_EQ(GangCapacityWhenIdle(3, Ask(1), cluster), 3);
  EXPECT_EQ(GangCapacityWhenIdle(10, Ask(2), cluster), 1);
  EXPECT_EQ(GangCapacityWhenIdle(10, Ask(0, 0.5), cluster), 6);
  EXPECT_EQ(GangCapacityWhenIdle(5, Ask(3), cluster), 0);
  EXPECT_EQ(HostOfAddress("10.1.2.3:9866"), "10.1.2.3");
  EXPECT_EQ(HostOfAddress("[::1]:9866"), "::1");
}

}  // namespace
}  // namespace cairn::compute
